from django.db import migrations

from complaints.categories import ensure_builtin


def create(apps, schema_editor):
    ensure_builtin(apps.get_model("complaints", "Category"))


def remove(apps, schema_editor):
    apps.get_model("complaints", "Category").objects.filter(institution=None).delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
