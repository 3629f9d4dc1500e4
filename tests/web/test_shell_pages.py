"""What every page shares: the framework's own messages in the page's language, error pages with a
way back, a language control that names only the page's language."""

from __future__ import annotations

from tests import factories
from tests.conftest import csrf_token

INDONESIAN = {"Accept-Language": "id"}


def test_an_indonesian_form_says_what_is_missing_in_indonesian_and_keeps_what_she_typed(client):
    token = csrf_token(client.get("/login", headers=INDONESIAN).get_data(as_text=True))
    response = client.post("/login", data={"email": "ani@example", "password": "", "csrf_token": token},
                           headers=INDONESIAN)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Bidang ini wajib diisi." in page  # WTForms' "This field is required."
    assert "Alamat email tidak valid." in page
    assert 'value="ani@example"' in page
    assert "This field is required" not in page


def test_error_pages_speak_the_page_language_and_lead_back(client, sign_in):
    missing = client.get("/no-such-page", headers=INDONESIAN)
    page = missing.get_data(as_text=True)
    assert missing.status_code == 404
    assert "Tidak ditemukan" in page and "Kembali ke halaman masuk" in page and 'href="/login"' in page

    wrong_method = client.get("/logout", headers=INDONESIAN)
    assert wrong_method.status_code == 405
    assert "Tidak bisa di sini" in wrong_method.get_data(as_text=True)

    refused = client.post("/language", data={"language": "en"}, headers=INDONESIAN)  # no CSRF token
    assert refused.status_code == 400
    assert "Formulir sudah kedaluwarsa" in refused.get_data(as_text=True)

    factories.factory()
    factories.user(email="manager@example.org", role="factory_manager", factory_code="IDN-0001", language="es")
    assert sign_in("manager@example.org", factories.PASSWORD).status_code == 302
    signed_in = client.get("/factory/cases/ID-ZZZZZZ").get_data(as_text=True)
    assert "Volver a su página de inicio" in signed_in and 'href="/factory"' in signed_in


def test_a_signed_out_visitor_is_asked_to_sign_in_in_her_language(client):
    response = client.get("/queue", headers=INDONESIAN)
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers=INDONESIAN).get_data(as_text=True)
    assert "Silakan masuk untuk melihat halaman ini." in page
    assert "Please log in" not in page


def test_a_page_names_only_its_own_language_and_the_list_is_a_page_of_its_own(client):
    page = client.get("/login").get_data(as_text=True)
    assert "English" in page
    for other in ("ខ្មែរ", "বাংলা", "العربية", "မြန်မာ", "Bahasa Indonesia"):
        assert other not in page
    languages = client.get("/languages?next=/queue").get_data(as_text=True)
    for name in ("ខ្មែរ", "বাংলা", "العربية", "မြန်မာ", "Bahasa Indonesia"):
        assert name in languages
    assert 'name="next" value="/queue"' in languages
    outside = client.get("/languages?next=//evil.example/").get_data(as_text=True)
    assert 'name="next" value="/' in outside and 'value="//evil.example/"' not in outside
