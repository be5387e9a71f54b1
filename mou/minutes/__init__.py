"""Minutes of meetings: rendered PDFs, immutable versions, verification."""
