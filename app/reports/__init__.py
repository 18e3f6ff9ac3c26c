"""Charts and report rendering from service DTOs, drawn with Qt's painting (no widgets)."""
