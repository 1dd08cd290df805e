"""Trainer-side tools: the roster, reports and certificates of a cohort."""
