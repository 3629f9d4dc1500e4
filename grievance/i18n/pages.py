"""Languages of the people's pages."""

# Every catalog is complete, so every worker language is also a page language.
UI_LOCALES = ["en", "id", "km", "vi", "bn", "ar", "ht", "st", "es", "my"]
RTL_LOCALES = {"ar"}
# Each language by its own name, as a worker or a person recognises it in a menu or on a page.
LANGUAGE_NAMES = {
    "en": "English", "id": "Bahasa Indonesia", "km": "ខ្មែរ", "vi": "Tiếng Việt", "bn": "বাংলা",
    "ar": "العربية", "ht": "Kreyòl ayisyen", "st": "Sesotho", "es": "Español", "my": "မြန်မာ",
}
