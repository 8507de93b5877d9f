import pytest

from surveys.models import Country, Region

pytestmark = pytest.mark.django_db


def test_every_country_has_its_iso_codes_and_un_region():
    assert Region.objects.count() == 5
    assert Country.objects.count() > 240
    kenya = Country.objects.get(code="KE")
    assert (kenya.iso3, kenya.region.name, kenya.subregion) == ("KEN", "Africa", "Eastern Africa")


def test_countries_whose_table_entry_lists_aliases_get_their_iso_code():
    assert Country.objects.get(code="GB").iso3 == "GBR"
    assert Country.objects.get(code="GR").region.name == "Europe"


def test_the_americas_carry_their_m49_name():
    assert Country.objects.get(code="BR").region.name == "Americas"
    assert Country.objects.get(code="NA").name == "Namibia"


def test_the_snapshot_is_what_the_build_script_makes_from_country_converter(tmp_path):
    import importlib.util

    from django.conf import settings

    script = settings.BASE_DIR / "fixtures" / "build_countries.py"
    spec = importlib.util.spec_from_file_location("build_countries", script)
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)

    build.write(tmp_path / "countries.csv")

    shipped = (settings.BASE_DIR / "fixtures" / "countries.csv").read_text(encoding="utf-8")
    assert (tmp_path / "countries.csv").read_text(encoding="utf-8") == shipped
