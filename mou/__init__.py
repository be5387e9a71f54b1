"""mou: cooperation agreements between government agencies."""
