from django.db import migrations


def load(apps, schema_editor):
    from surveys.countries import load_countries

    load_countries(apps.get_model("surveys", "Region"), apps.get_model("surveys", "Country"))


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
