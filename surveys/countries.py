"""Countries and UN M49 regions, from the country_converter package's table.

We read its data file directly: the table is what we need, and reading it
does not depend on the package's converter class.
"""

import csv
from importlib import resources

# UN M49 region codes; country_converter calls the Americas "America".
M49_REGIONS = {
    "Africa": ("002", "Africa"),
    "America": ("019", "Americas"),
    "Asia": ("142", "Asia"),
    "Europe": ("150", "Europe"),
    "Oceania": ("009", "Oceania"),
}


def country_rows():
    """(ISO2, ISO3, short name, M49 region code, region name, sub-region) per country."""
    path = resources.files("country_converter") / "country_data.tsv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            region = M49_REGIONS.get(row["continent"])
            if not region or not row["UNregion"] or not row["ISO2"]:
                continue
            if row.get("obsolete"):
                continue
            # A few ISO2 cells are patterns for aliases ("^GB$|^UK$"); the
            # first alternative is the ISO code.
            iso2 = row["ISO2"].split("|")[0].strip("^$")
            iso3 = row["ISO3"].split("|")[0].strip("^$")
            yield iso2, iso3, row["name_short"], region[0], region[1], row["UNregion"]


def load_countries(region_model, country_model):
    """Create or update every country and region; safe to run again."""
    regions = {}
    for code, name in M49_REGIONS.values():
        regions[code], _ = region_model.objects.update_or_create(code=code, defaults={"name": name})
    for iso2, iso3, name, region_code, _, subregion in country_rows():
        country_model.objects.update_or_create(
            code=iso2,
            defaults={
                "iso3": iso3,
                "name": name,
                "region": regions[region_code],
                "subregion": subregion,
            },
        )
