//! Required and recommended labels and annotations, and their syntax.

pub mod helpers;
pub mod instance_label_name_mismatch;
pub mod invalid_annotation;
pub mod invalid_label;
pub mod owner_email_annotation_missing;
pub mod recommended_labels_missing;
pub mod required_annotation_missing;
pub mod required_label_missing;
