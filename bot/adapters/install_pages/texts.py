"""The install pages' words, German (the help page's) and English.

Each value may hold ``{name}`` placeholders; ``pages`` fills them with escaped values.
"""

from __future__ import annotations

from typing import Final

APP_NAME: Final = "CloudCRM Add-ons"  # manifest.yaml: display_information.name

# Why the app asks for each bot scope of manifest.yaml (bot.adapters.slack_install.SCOPES).
SCOPE_REASONS: Final[dict[str, dict[str, str]]] = {
    "de": {
        "commands": "den Befehl /addons anlegen, mit dem Sie Zusatzoptionen buchen, "
        "einsehen und kündigen.",
        "chat:write": "Ihnen Direktnachrichten schicken: Rechnungen, Hinweise zu beendeten "
        "Zusatzoptionen und Widerrufen.",
        "users:read": "bei jeder Aktion prüfen, ob Sie Admin oder Owner des Workspaces sind "
        "(nur dann dürfen Sie buchen und Preise sehen), und Ihre Sprache wählen.",
        "files:write": "Ihnen jede Rechnung und Rechnungskorrektur als PDF (ZUGFeRD) in die "
        "Direktnachricht legen.",
        "im:write": "die Direktnachricht mit Ihnen öffnen, in die das PDF gelegt wird.",
    },
    "en": {
        "commands": "create the /addons command, with which you book, review and cancel add-ons.",
        "chat:write": "send you direct messages: invoices, notices about ended add-ons and "
        "withdrawals.",
        "users:read": "check on every action whether you are an admin or owner of the "
        "workspace (only they may book and see prices), and choose your language.",
        "files:write": "attach each invoice and correction as a PDF (ZUGFeRD) to your direct "
        "message.",
        "im:write": "open the direct message with you that the PDF is attached to.",
    },
}

TEXTS: Final[dict[str, dict[str, str]]] = {
    "de": {
        "lang_name": "Deutsch",
        "other_lang": "en",
        "other_lang_name": "English",
        "landing_title": "Zusatzoptionen (Add-ons) buchen und kündigen",
        "tagline": "Die Slack-App von CloudCRM: mehr Benutzer und mehr Speicherplatz, "
        "gebucht mit /addons, direkt in Slack.",
        "intro": "Sie müssen nicht zwingend in einen komplett neuen Tarif wechseln, wenn "
        "Sie lediglich mehr Benutzer oder mehr Speicherplatz benötigen. CloudCRM lässt "
        "sich durch flexibel kündbare Zusatzoptionen erweitern.",
        "what": "Mit /addons buchen die Admins Ihres Workspaces Zusätzliche Benutzer und "
        "Erweiterten Speicherplatz (+10 GB) hinzu, sehen Ihre Zusatzoptionen und "
        "kündigen sie. Die Leistung steht "
        "Ihnen sofort zur Verfügung; der anteilige Betrag wird als Entwurf gesammelt und "
        "mit Ihrer nächsten Sammelrechnung abgerechnet. Zusatzoptionen sind monatlich "
        "kündbar.",
        "button": "Zu Slack hinzufügen",
        "button_note": "Slack zeigt Ihnen danach noch einmal, was die App darf, und fragt, "
        "ob Sie sie zulassen.",
        "scopes_title": "Welche Berechtigungen die App braucht",
        "scopes_intro": "Die App bittet Slack um genau drei Berechtigungen. Damit darf sie:",
        "scopes_none": "Sie liest keine Nachrichten und keine Kanäle.",
        "privacy_title": "Datenschutz",
        "privacy": "Die App speichert nur, was Ihre Zusatzoptionen und Rechnungen brauchen: "
        "ID und Name Ihres Workspaces, die Slack-IDs der Personen, die buchen oder "
        "kündigen, und das Token der App, verschlüsselt. Entfernen Sie die App, wird das "
        "Token sofort gelöscht; Buchungen und Rechnungen bleiben, denn sie gehören zu "
        "Ihrem CloudCRM-Vertrag.",
        "privacy_link": "Datenschutzhinweise lesen",
        "privacy_page_title": "Datenschutzhinweise",
        "back": "Zurück zur Installationsseite",
        "again": "Installation neu starten",
        "installed_title": "Installiert",
        "installed": "CloudCRM Add-ons ist jetzt in Ihrem Workspace „{team}“ installiert. "
        "Tippen Sie in Slack /addons, um Ihre Zusatzoptionen zu sehen und zu buchen.",
        "open_app": "In Slack öffnen",
        "open_web": "Im Browser öffnen",
        "installed_note": "Falls sich Slack nicht öffnet, nehmen Sie „Im Browser öffnen“.",
        "denied_title": "Nicht installiert",
        "denied": "Sie haben die Installation in Slack abgebrochen. Es wurde nichts gespeichert.",
        "expired_title": "Link abgelaufen",
        "expired": "Dieser Installationslink ist älter als 10 Minuten und gilt nicht mehr. "
        "Es wurde nichts gespeichert. Bitte starten Sie die Installation neu.",
        "invalid_title": "Link ungültig",
        "invalid": "Dieser Installationslink ist ungültig: Er wurde schon benutzt, in einem "
        "anderen Browser geöffnet oder nicht von dieser Seite ausgestellt. Es wurde "
        "nichts gespeichert.",
        "refused_title": "Nicht bestätigt",
        "refused": "Slack hat die Installation nicht bestätigt. Es wurde nichts "
        "gespeichert. Bitte versuchen Sie es noch einmal.",
        "unreachable_title": "Slack nicht erreichbar",
        "unreachable": "Slack war gerade nicht erreichbar. Es wurde nichts gespeichert. "
        "Bitte versuchen Sie es in ein paar Minuten noch einmal.",
        "org_install_title": "Nicht unterstützt",
        "org_install": "Eine Installation für die ganze Organisation (Enterprise Grid) wird "
        "nicht unterstützt; die Berechtigung, die Slack dafür erteilt hat, wurde "
        "zurückgegeben. Bitte installieren Sie die App in jedem Workspace einzeln.",
        "failed_title": "Nicht gespeichert",
        "failed": "Die Installation konnte gerade nicht gespeichert werden. Bitte versuchen "
        "Sie es in ein paar Minuten noch einmal.",
    },
    "en": {
        "lang_name": "English",
        "other_lang": "de",
        "other_lang_name": "Deutsch",
        "landing_title": "Book and cancel add-ons",
        "tagline": "CloudCRM's Slack app: more users and more storage, booked with "
        "/addons, right in Slack.",
        "intro": "You need not move to a whole new plan when all you need is more users "
        "or more storage: CloudCRM grows with add-ons you can cancel monthly.",
        "what": "With /addons the admins of your workspace book Additional users and "
        "Extended storage (+10 GB), see your add-ons and cancel them. What you book is "
        "available at once; the prorated amount is collected as a draft and billed with "
        "your next regular invoice. Add-ons can be cancelled monthly.",
        "button": "Add to Slack",
        "button_note": "Slack then shows you once more what the app may do and asks "
        "whether you allow it.",
        "scopes_title": "The permissions the app needs",
        "scopes_intro": "The app asks Slack for exactly three permissions. With them it may:",
        "scopes_none": "It reads no messages and no channels.",
        "privacy_title": "Privacy",
        "privacy": "The app keeps only what your add-ons and invoices need: your "
        "workspace's ID and name, the Slack IDs of the people who book or cancel, and the "
        "app's token, encrypted. If you remove the app, the token is deleted at once; "
        "bookings and invoices stay, as they belong to your CloudCRM contract.",
        "privacy_link": "Read the privacy notice",
        "privacy_page_title": "Privacy notice",
        "back": "Back to the install page",
        "again": "Start the installation again",
        "installed_title": "Installed",
        "installed": "CloudCRM Add-ons is now installed in your workspace “{team}”. Type "
        "/addons in Slack to see and book your add-ons.",
        "open_app": "Open in Slack",
        "open_web": "Open in the browser",
        "installed_note": "If Slack does not open, use “Open in the browser”.",
        "denied_title": "Not installed",
        "denied": "You cancelled the installation in Slack. Nothing was stored.",
        "expired_title": "Link expired",
        "expired": "This installation link is older than 10 minutes and no longer valid. "
        "Nothing was stored. Please start the installation again.",
        "invalid_title": "Invalid link",
        "invalid": "This installation link is not valid: it was used already, opened in "
        "another browser, or not issued by this page. Nothing was stored.",
        "refused_title": "Not confirmed",
        "refused": "Slack did not confirm the installation. Nothing was stored. Please try again.",
        "unreachable_title": "Slack unreachable",
        "unreachable": "Slack could not be reached just now. Nothing was stored. Please "
        "try again in a few minutes.",
        "org_install_title": "Not supported",
        "org_install": "An installation for a whole organization (Enterprise Grid) is not "
        "supported; the permission Slack granted for it was given back. Please install "
        "the app into each workspace.",
        "failed_title": "Not stored",
        "failed": "The installation could not be stored just now. Please try again in a "
        "few minutes.",
    },
}
