"""Demo charters: a staff charter and public house rules per demo institution, in FR, NL and EN.

Written in the spirit of the seeds (CIRB's "let's do it together" points, Forem's clear,
courteous and responsive, Daimler's "correct your mistakes", the Police note on professional
secrecy, Forem's house rules for its page). Defence's house rules have two published versions
and a draft in progress, so history, diff and the editor have something to show.
Idempotent: an institution that already has a charter with the same slug is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Institution, User
from charter.models import Audience, Charter
from charter.services import (
    RuleInput,
    TextInput,
    charter_create,
    draft_save,
    draft_start,
    version_publish,
)

STAFF_TITLE = {
    "fr": "Charte d'utilisation des médias sociaux",
    "nl": "Charter voor het gebruik van sociale media",
    "en": "Social media charter for staff",
}
STAFF_BODY = {
    "fr": (
        "Les médias sociaux font partie de notre travail. Cette charte dit comment nous les "
        "utilisons, au travail et quand nous parlons de notre travail.\n\n"
        "## La règle d'or\n\nAgissez en ligne comme vous le feriez en face à face : ne publiez "
        "rien que vous n'oseriez pas dire devant vos collègues ou le public.\n\n"
        "## Besoin d'aide ?\n\nLe service communication répond à vos questions. En cas de "
        "doute, abstenez-vous et demandez."
    ),
    "nl": (
        "Sociale media horen bij ons werk. Dit charter zegt hoe we ze gebruiken, op het werk en "
        "wanneer we over ons werk spreken.\n\n"
        "## De gulden regel\n\nGedraag u online zoals u dat in een gesprek van aangezicht tot "
        "aangezicht zou doen: publiceer niets wat u niet tegen uw collega's of het publiek zou "
        "durven zeggen.\n\n"
        "## Hulp nodig?\n\nDe communicatiedienst beantwoordt uw vragen. Twijfelt u, doe het "
        "dan niet en vraag raad."
    ),
    "en": (
        "Social media are part of our work. This charter says how we use them, at work and "
        "when we talk about our work.\n\n"
        "## The golden rule\n\nBehave online as you would face to face: post nothing you would "
        "not dare say in front of your colleagues or the public.\n\n"
        "## Need help?\n\nThe communication team answers your questions. When in doubt, "
        "don't post, and ask."
    ),
}
STAFF_RULES = [
    (
        {
            "fr": ("Soyez transparent", "Dites qui vous êtes et à quel titre vous vous exprimez."),
            "nl": ("Wees transparant", "Zeg wie u bent en in welke hoedanigheid u spreekt."),
            "en": ("Be transparent", "Say who you are and in what capacity you speak."),
        }
    ),
    (
        {
            "fr": (
                "Protégez la confidentialité",
                "Ne diffusez jamais d'informations confidentielles "
                "ou sensibles ; le secret professionnel s'applique aussi en ligne.",
            ),
            "nl": (
                "Bescherm vertrouwelijke informatie",
                "Verspreid nooit vertrouwelijke of gevoelige "
                "informatie; het beroepsgeheim geldt ook online.",
            ),
            "en": (
                "Protect confidentiality",
                "Never share confidential or sensitive information; "
                "professional secrecy applies online too.",
            ),
        }
    ),
    (
        {
            "fr": (
                "Respectez les autres",
                "Respectez le droit d'auteur, la vie privée et les "
                "opinions d'autrui. Les propos choquants, offensants ou racistes sont interdits.",
            ),
            "nl": (
                "Respecteer anderen",
                "Respecteer het auteursrecht, de privacy en de mening van "
                "anderen. Schokkende, beledigende of racistische uitlatingen zijn verboden.",
            ),
            "en": (
                "Respect others",
                "Respect copyright, privacy and other people's opinions. "
                "Shocking, offensive or racist content is forbidden.",
            ),
        }
    ),
    (
        {
            "fr": (
                "Réfléchissez avant de publier",
                "Prenez dix secondes. Pensez à votre réputation et à celle des autres.",
            ),
            "nl": (
                "Denk na voor u publiceert",
                "Neem tien seconden. Denk aan uw reputatie en aan die van anderen.",
            ),
            "en": (
                "Think before you post",
                "Take ten seconds. Think of your reputation and of other people's.",
            ),
        }
    ),
    (
        {
            "fr": (
                "Seuls les canaux officiels parlent au nom de l'institution",
                "Ne publiez rien au nom de l'institution sans y être autorisé.",
            ),
            "nl": (
                "Alleen de officiële kanalen spreken namens de instelling",
                "Publiceer niets namens de instelling zonder daartoe gemachtigd te zijn.",
            ),
            "en": (
                "Only official channels speak for the institution",
                "Do not post on behalf of the institution unless you are authorised to.",
            ),
        }
    ),
    (
        {
            "fr": (
                "Corrigez vos erreurs",
                "Reconnaissez une erreur et corrigez-la vite et ouvertement.",
            ),
            "nl": ("Herstel uw fouten", "Erken een fout en herstel ze snel en openlijk."),
            "en": (
                "Correct your mistakes",
                "Own up to a mistake and correct it quickly and openly.",
            ),
        }
    ),
    (
        {
            "fr": (
                "Soyez courtois et réactif",
                "Répondez avec clarté et courtoisie, dans les délais.",
            ),
            "nl": (
                "Wees hoffelijk en reageer snel",
                "Antwoord duidelijk en hoffelijk, binnen de termijn.",
            ),
            "en": ("Be courteous and responsive", "Answer clearly and courteously, on time."),
        }
    ),
]

HOUSE_TITLE = {
    "fr": "Règles de nos pages",
    "nl": "Huisregels van onze pagina's",
    "en": "House rules of our pages",
}
HOUSE_BODY = {
    "fr": (
        "Nos pages sont un espace d'échange sur les missions de {name}, dans un esprit "
        "d'ouverture et de respect mutuel.\n\n"
        "## Nos engagements\n\n- Nous répondons dans les 24 heures, soirées et week-ends "
        "compris.\n- Une plainte est transmise à notre service des plaintes, qui y répond "
        "individuellement dans les 30 jours.\n\n"
        "## Ce que nous pouvons masquer ou supprimer\n\nLes modérateurs peuvent masquer ou "
        "supprimer une contribution contraire aux règles ci-dessous. Chaque décision cite la "
        "règle appliquée. Vous pouvez la contester par notre formulaire de plainte ou auprès "
        "du Médiateur fédéral."
    ),
    "nl": (
        "Onze pagina's zijn een ruimte om van gedachten te wisselen over de opdrachten van "
        "{name}, in een geest van openheid en wederzijds respect.\n\n"
        "## Onze engagementen\n\n- We antwoorden binnen 24 uur, ook 's avonds en in het "
        "weekend.\n- Een klacht gaat naar onze klachtendienst, die ze binnen 30 dagen "
        "individueel beantwoordt.\n\n"
        "## Wat we kunnen verbergen of verwijderen\n\nDe moderatoren kunnen een bijdrage "
        "verbergen of verwijderen die de onderstaande regels schendt. Elke beslissing vermeldt "
        "de toegepaste regel. U kunt ze betwisten via ons klachtenformulier of bij de "
        "federale Ombudsman."
    ),
    "en": (
        "Our pages are a space to discuss the work of {name}, openly and with mutual "
        "respect.\n\n"
        "## What we commit to\n\n- We answer within 24 hours, evenings and weekends included."
        "\n- A complaint goes to our complaints service, which answers it individually within "
        "30 days.\n\n"
        "## What we may hide or remove\n\nModerators may hide or remove a contribution that "
        "breaks the rules below. Every decision cites the rule applied. You can contest it "
        "through our complaint form or with the Federal Ombudsman."
    ),
}
# (texts, justifies_hide, justifies_remove)
HOUSE_RULES = [
    (
        {
            "fr": (
                "Insultes, menaces et harcèlement",
                "Les propos injurieux, menaçants ou harcelants envers quiconque.",
            ),
            "nl": (
                "Beledigingen, bedreigingen en intimidatie",
                "Beledigende, bedreigende of intimiderende uitlatingen tegenover wie dan ook.",
            ),
            "en": (
                "Insults, threats and harassment",
                "Abusive, threatening or harassing content towards anyone.",
            ),
        },
        True,
        True,
    ),
    (
        {
            "fr": (
                "Haine et discrimination",
                "Les propos racistes, xénophobes, sexistes ou discriminatoires.",
            ),
            "nl": (
                "Haat en discriminatie",
                "Racistische, xenofobe, seksistische of discriminerende uitlatingen.",
            ),
            "en": (
                "Hate and discrimination",
                "Racist, xenophobic, sexist or discriminatory content.",
            ),
        },
        True,
        True,
    ),
    (
        {
            "fr": (
                "Données personnelles",
                "La publication de données personnelles d'autrui "
                "(adresse, téléphone, photos privées).",
            ),
            "nl": (
                "Persoonsgegevens",
                "Het publiceren van persoonsgegevens van anderen (adres, telefoon, privéfoto's).",
            ),
            "en": (
                "Personal data",
                "Publishing other people's personal data (address, phone, private photos).",
            ),
        },
        True,
        True,
    ),
    (
        {
            "fr": (
                "Publicité et spam",
                "La publicité, les liens commerciaux et les messages répétés.",
            ),
            "nl": ("Reclame en spam", "Reclame, commerciële links en herhaalde berichten."),
            "en": ("Advertising and spam", "Advertising, commercial links and repeated messages."),
        },
        True,
        True,
    ),
    (
        {
            "fr": ("Hors sujet", "Les messages sans rapport avec l'objet de la page."),
            "nl": (
                "Buiten het onderwerp",
                "Berichten die niets met het doel van de pagina te maken hebben.",
            ),
            "en": ("Off topic", "Messages unrelated to the purpose of the page."),
        },
        True,
        False,
    ),
    (
        {
            "fr": (
                "Contenus illégaux",
                "Les contenus contraires à la loi ou qui incitent à l'enfreindre.",
            ),
            "nl": (
                "Onwettige inhoud",
                "Inhoud die in strijd is met de wet of ertoe aanzet ze te overtreden.",
            ),
            "en": ("Illegal content", "Content that breaks the law or incites others to break it."),
        },
        True,
        True,
    ),
]
DEFENCE_EXTRA_RULE = (
    {
        "fr": (
            "Sécurité des opérations",
            "Les informations qui révèlent des mouvements, des "
            "positions ou l'identité de militaires en opération.",
        ),
        "nl": (
            "Operationele veiligheid",
            "Informatie die bewegingen, posities of de identiteit "
            "van militairen in operatie onthult.",
        ),
        "en": (
            "Operational security",
            "Information revealing movements, positions or the "
            "identity of military personnel on operations.",
        ),
    },
    True,
    True,
)


@dataclass
class CharterSeedReport:
    charters: int = 0
    published_versions: int = 0


def seed_charters() -> CharterSeedReport:
    report = CharterSeedReport()
    for institution in Institution.objects.all():
        editor = User.objects.filter(email=f"charter_editor@{institution.slug}.demo").first()
        if editor is None:
            continue
        _seed_staff_charter(institution, editor, report)
        _seed_house_rules(institution, editor, report)
    return report


def _texts(titles: dict[str, str], bodies: dict[str, str], name: str) -> list[TextInput]:
    return [TextInput(code, titles[code], bodies[code].format(name=name)) for code in titles]


def _staff_rules() -> list[RuleInput]:
    return [
        RuleInput(number, justifies_hide=False, justifies_remove=False, texts=texts)
        for number, texts in enumerate(STAFF_RULES, start=1)
    ]


def _house_rules(extra: bool) -> list[RuleInput]:
    rules = HOUSE_RULES + ([DEFENCE_EXTRA_RULE] if extra else [])
    return [
        RuleInput(number, justifies_hide=hide, justifies_remove=remove, texts=texts)
        for number, (texts, hide, remove) in enumerate(rules, start=1)
    ]


def _seed_staff_charter(institution: Institution, editor: User, report: CharterSeedReport) -> None:
    if Charter.objects.filter(institution=institution, slug="staff-charter").exists():
        return
    charter = charter_create(
        institution=institution,
        actor=editor,
        audience=Audience.STAFF,
        slug="staff-charter",
        title=STAFF_TITLE["en"],
    )
    draft = draft_start(charter=charter, actor=editor)
    draft_save(
        version=draft,
        actor=editor,
        texts=_texts(STAFF_TITLE, STAFF_BODY, institution.name_en),
        rules=_staff_rules(),
    )
    version_publish(version=draft, actor=editor, change_summary="First version.")
    report.charters += 1
    report.published_versions += 1


def _seed_house_rules(institution: Institution, editor: User, report: CharterSeedReport) -> None:
    if Charter.objects.filter(institution=institution, slug="house-rules").exists():
        return
    charter = charter_create(
        institution=institution,
        actor=editor,
        audience=Audience.PUBLIC,
        slug="house-rules",
        title=HOUSE_TITLE["en"],
        house_rules=True,
    )
    names = {"fr": institution.name_fr, "nl": institution.name_nl, "en": institution.name_en}
    texts = [
        TextInput(code, HOUSE_TITLE[code], HOUSE_BODY[code].format(name=names[code]))
        for code in HOUSE_TITLE
    ]
    draft = draft_start(charter=charter, actor=editor)
    draft_save(version=draft, actor=editor, texts=texts, rules=_house_rules(extra=False))
    version_publish(version=draft, actor=editor, change_summary="First version.")
    report.charters += 1
    report.published_versions += 1
    if institution.slug != "defence":
        return
    second = draft_start(charter=charter, actor=editor)
    draft_save(version=second, actor=editor, texts=texts, rules=_house_rules(extra=True))
    version_publish(
        version=second,
        actor=editor,
        change_summary="R7 added: operational security of military personnel.",
    )
    report.published_versions += 1
    third = draft_start(charter=charter, actor=editor)
    texts_in_progress = [
        TextInput(t.language, t.title, t.body_markdown + "\n\n" + DRAFT_NOTE[t.language])
        for t in texts
    ]
    draft_save(version=third, actor=editor, texts=texts_in_progress, rules=_house_rules(extra=True))


DRAFT_NOTE = {
    "fr": "## Contributions en néerlandais et en français\n\nNous répondons dans la langue de "
    "votre message.",
    "nl": "## Bijdragen in het Nederlands en het Frans\n\nWe antwoorden in de taal van uw bericht.",
    "en": "## Contributions in Dutch and French\n\nWe answer in the language of your message.",
}
