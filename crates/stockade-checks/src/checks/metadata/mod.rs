//! Required and recommended labels and annotations, and their syntax.

pub mod helpers;
pub mod invalid_annotation;
pub mod invalid_label;
pub mod recommended_labels_missing;
pub mod required_annotation_missing;
pub mod required_label_missing;
