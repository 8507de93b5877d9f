"""Countries and UN M49 regions, from the snapshot in fixtures/countries.csv
(built from the country_converter package's table by
fixtures/build_countries.py)."""

import csv
from pathlib import Path

from django.conf import settings

COUNTRIES = Path(settings.BASE_DIR) / "fixtures" / "countries.csv"


def country_rows() -> list[dict]:
    """{iso2, iso3, name, region_code, region, subregion} per country."""
    with COUNTRIES.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_countries(region_model, country_model) -> None:
    """Create or update every country and region; safe to run again."""
    rows = country_rows()
    regions = {}
    for row in rows:
        if row["region_code"] not in regions:
            regions[row["region_code"]], _ = region_model.objects.update_or_create(
                code=row["region_code"], defaults={"name": row["region"]}
            )
    for row in rows:
        country_model.objects.update_or_create(
            code=row["iso2"],
            defaults={
                "iso3": row["iso3"],
                "name": row["name"],
                "region": regions[row["region_code"]],
                "subregion": row["subregion"],
            },
        )
