"""Languages of the people's pages."""

UI_LOCALES = ["en", "id", "km"]
RTL_LOCALES = {"ar"}
LANGUAGE_NAMES = {
    "en": "English", "id": "Bahasa Indonesia", "km": "ខ្មែរ", "vi": "Tiếng Việt", "bn": "বাংলা",
    "ar": "العربية", "ht": "Kreyòl ayisyen", "st": "Sesotho", "es": "Español", "my": "မြန်မာ",
}
