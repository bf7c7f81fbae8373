from __future__ import annotations

from datetime import datetime

from accounts.models import Institution, User
from complaints.categories import ensure_builtin
from complaints.models import Case, Category
from complaints.services.cases import ComplainantData, case_register


def builtin(code: str = "service_quality") -> Category:
    ensure_builtin(Category)  # a transactional test elsewhere may have flushed them
    return Category.objects.get(institution=None, code=code)


def register(
    institution: Institution,
    *,
    actor: User | None = None,
    received_at: datetime | None = None,
    source: str = "phone",
    category: str = "service_quality",
) -> Case:
    return case_register(
        institution=institution,
        actor=actor,
        source=source,
        category=builtin(category),
        subject="Attente au guichet",
        description="Deux heures d'attente sans information.",
        language="fr",
        complainant=ComplainantData(name="Anne Dupont", email="anne@example.be", phone="0470"),
        received_at=received_at,
    )
