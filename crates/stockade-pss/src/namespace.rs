//! Namespace-aware evaluation (placeholder).
