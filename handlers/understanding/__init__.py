"""Reading free-text questions: normalisation of informal Vietnamese and topic matching."""
