"""The Slack app's German texts: the help page's words (the default language)."""

from __future__ import annotations

DE: dict[str, str] = {
    # -- overview (modal and App Home) ---------------------------------------------------
    "overview.title": "Zusatzoptionen",
    "overview.submit": "Fertig",
    "overview.close": "Schließen",
    "overview.intro": "Erweitern Sie Ihr CRM flexibel nach Ihren Bedürfnissen. "
    "Zusatzoptionen sind monatlich kündbar.",
    "overview.home_hint": "Mit *Hinzufügen* wählen Sie die Anzahl und bestätigen die Buchung. "
    "Alles geht auch als Text: `/addons hilfe`.",
    "overview.loading": "Einen Moment, die Übersicht wird geladen …",
    "option.description.users": "Ihr Team wächst? Buchen Sie weitere Lizenzen.",
    "option.description.storage": "Mehr Platz für Dokumente und E-Mails.",
    "price.seat": "{price} / Nutzer / Monat zzgl. USt.",
    "price.seats": "{price} / {size} Nutzer / Monat zzgl. USt.",
    "price.gb": "{price} / {size} GB / Monat zzgl. USt.",
    "price.monthly": "{price} / Monat zzgl. USt.",
    "price.net": "{price} zzgl. USt.",
    "price.net_gross": "{net} netto, {gross} brutto",
    "addon.seat": "{label} (+{amount})",
    "addon.gb": "{label} (+{amount} GB)",
    # -- quantity input -----------------------------------------------------------------
    "quantity.label": "Anzahl",
    "quantity.placeholder": "1 bis {maximum}",
    "quantity.hint.seat": "Eine ganze Zahl von 1 bis {maximum}.",
    "quantity.hint.gb": "Eine ganze Zahl von 1 bis {maximum}, in {size}-GB-Paketen: "
    "3 ergibt +{example} GB.",
    "quantity.error.empty": "Bitte geben Sie eine Anzahl ein.",
    "quantity.error.not_a_number": "Bitte geben Sie eine Zahl ein.",
    "quantity.error.zero": "Die Anzahl muss mindestens 1 sein.",
    "quantity.error.negative": "Die Anzahl darf nicht negativ sein.",
    "quantity.error.decimal": "Bitte geben Sie eine ganze Zahl ein, ohne Komma.",
    "quantity.error.too_large": "Höchstens {maximum} auf einmal.",
    # -- buttons ------------------------------------------------------------------------
    "button.add": "Hinzufügen",
    "button.cancel": "Kündigen",
    "button.undo": "Kündigung zurücknehmen",
    "button.confirm": "Bestätigen",
    "button.back": "Abbrechen",
    "button.continue": "Weiter",
    "button.more": "Weitere anzeigen",
    "button.previous": "Vorherige anzeigen",
    # -- the table "Ihre Zusatzoptionen" ------------------------------------------------
    "table.title": "Ihre Zusatzoptionen",
    "table.option": "OPTION",
    "table.price": "PREIS",
    "table.billed_until": "ABGERECHNET BIS",
    "table.status": "STATUS / AKTION",
    "table.empty": "Sie haben noch keine Zusatzoptionen gebucht.",
    "table.none": "–",
    "table.not_charged": "— (nicht berechnet)",
    "table.rows": "Zeilen {first}–{last} von {total}",
    "table.more_ended.one": "… und {count} weitere beendete Zusatzoption",
    "table.more_ended.other": "… und {count} weitere beendete Zusatzoptionen",
    "table.more.one": "… und {count} weitere Zusatzoption",
    "table.more.other": "… und {count} weitere Zusatzoptionen",
    "status.active": "Aktiv",
    "status.pending": "Kündigung zum {date}",
    "status.ended": "Beendet am {date}",
    "status.withdrawn": "Widerrufen am {date}",
    # -- entitlements and invoices ------------------------------------------------------
    "entitlements.line": "Zusätzlich in Kraft: {items}",
    "entitlements.none": "keine Zusatzoptionen",
    "entitlements.seats.one": "{count} Benutzer",
    "entitlements.seats.other": "{count} Benutzer",
    "entitlements.gigabytes": "{count} GB",
    "invoice.entwurf_title": "Entwurf Ihrer nächsten Sammelrechnung (am {date})",
    "invoice.entwurf_empty": "Noch keine Positionen.",
    "correction.title": "Rechnungskorrektur K-{number} vom {date}",
    "correction.recent_line": "↳ Rechnungskorrektur K-{number} vom {date}: {amount}",
    "correction.corrects": "Korrigiert Rechnung Nr. {number}. Erstattet werden die "
    "folgenden Positionen:",
    "correction.line": "{addon}, {start}–{end}: {amount}",
    "invoice.recent_title": "Letzte Rechnungen",
    "invoice.recent_line": "Nr. {number} vom {date}: {amount}",
    "invoice.none": "Noch keine Rechnungen.",
    "invoice.modal_title": "Rechnung",
    "invoice.title": "Rechnung Nr. {number} vom {date}",
    "invoice.preview_title": "Kommende Sammelrechnung am {date}",
    "invoice.preview_note": "Vorschau nach heutigem Stand; bis zum Rechnungstag kann sich "
    "noch etwas ändern.",
    "invoice.line.proration": "{addon}, anteilig {start}–{end}: {amount}",
    "invoice.line.renewal": "{addon}, {start}–{end}: {amount}",
    "invoice.line.credit": "Rechnungskorrektur (Widerruf) {addon}, {start}–{end}: {amount}",
    "invoice.net": "Summe netto: {amount}",
    "invoice.total_net": "Summe: {amount}",
    "invoice.vat": "USt. {rate} %: {amount}",
    "invoice.vat_reverse": "USt. 0 %: {amount}. Steuerschuldnerschaft des Leistungsempfängers "
    "(Reverse Charge)",
    "invoice.vat_not_subject": "USt.: {amount}. Nicht im Inland steuerbar",
    "invoice.gross": "Gesamtbetrag brutto: {amount}",
    "invoice.issued": "Rechnungsdatum {issued}, Abrechnungszeitraum {start}–{end}",
    "invoice.parties": "Von {seller} an {buyer}",
    "invoice.party_vat_id": "USt-IdNr. {vat_id}",
    "invoice.party_tax_number": "St.-Nr. {tax_number}",
    "invoice.line.plan": "{name}, {start}–{end}: {amount}",
    "invoice.payment.debit": "Der Betrag von {amount} wird am {date} von {iban} abgebucht "
    "(Mandat {mandate}, Gläubiger-ID {creditor}).",
    "invoice.payment.transfer": "Zahlbar bis {date} ohne Abzug auf IBAN {iban}.",
    "invoice.payment.transfer_plain": "Zahlbar bis {date} ohne Abzug.",
    "correction.payment.debit": "{amount} erstatten wir bis {date} auf {iban} (Mandat {mandate}).",
    "correction.payment.transfer": "{amount} erstatten wir Ihnen bis {date}.",
    "invoice.empty": "Keine Positionen.",
    "invoice.more_lines.one": "… und {count} weitere Position",
    "invoice.more_lines.other": "… und {count} weitere Positionen",
    # -- booking ------------------------------------------------------------------------
    "booking.modal_title": "Zusatzoption buchen",
    "booking.title": "Buchung bestätigen",
    "booking.quantity": "Anzahl",
    "booking.monthly_price": "Monatlicher Preis",
    "booking.prorated": "Anteilig {start}–{end}",
    "booking.billed_until": "Abgerechnet bis",
    "booking.explanation": "Die Leistung steht Ihnen sofort zur Verfügung. {next_invoice} "
    "Danach kostet die Option {monthly}, monatlich im Voraus abgerechnet, bis Sie sie kündigen.",
    "booking.next_invoice": "Ihre nächste Sammelrechnung am {invoice_date} enthält dafür "
    "{total}: {parts}.",
    "booking.part.prorated": "anteilig {amount}",
    "booking.part.month": "{amount} für {month}",
    "booking.part.catch_up": "{amount} für die bereits abgerechnete Zeit bis {billed_until}",
    "booking.and": " und ",
    "booking.whole_period": "Ganzer Monat {start}–{end}",
    "period.month_from": "den Monat ab {start}",
    "booking.withdrawal_note": "Hinweis zum Widerruf: Kündigen Sie bis zum {deadline}, wird "
    "die Option sofort storniert und nichts berechnet.",
    "booking.withdrawal_note_invoiced": "Hinweis zum Widerruf: Kündigen Sie bis zum "
    "{deadline}, wird die Option sofort storniert und nichts berechnet. Bis zum {last_draft_day} "
    "wird der Betrag von Ihrer nächsten Sammelrechnung entfernt; danach steht er auf der "
    "Sammelrechnung vom {invoice_date}, und wir erstatten ihn Ihnen mit einer "
    "Rechnungskorrektur.",
    "booking.done": "Gebucht: {addon}. Steht Ihnen sofort zur Verfügung, abgerechnet bis "
    "{billed_until}. {next_invoice}",
    "booking.catch_up": "Der Abrechnungszeitraum bis {billed_until} ist bereits abgerechnet: "
    "{amount} dafür kommen zusätzlich auf Ihre nächste Sammelrechnung (am {invoice_date}).",
    "booking.repeated": "Diese Buchung wurde bereits ausgeführt: {addon}. Es wurde nichts "
    "doppelt gebucht.",
    # -- cancelling and withdrawal ------------------------------------------------------
    "cancel.title": "Kündigung bestätigen",
    "cancel.what": "Kündigung zum {date}, bis dahin nutzbar.",
    "cancel.details": "Danach wird die Option automatisch deaktiviert und nicht verlängert. "
    "Bis zum {date} können Sie die Kündigung zurücknehmen.",
    "cancel.done": "Gekündigt: {addon}. Kündigung zum {date}, bis dahin nutzbar.",
    "withdraw.title": "Widerruf bestätigen",
    "withdraw.what": "Widerruf: sofort storniert, es wird nichts berechnet: {amount} werden "
    "von Ihrer nächsten Sammelrechnung entfernt.",
    "withdraw.what_free": "Widerruf: sofort storniert, es wird nichts berechnet.",
    "withdraw.what_short": "Widerruf: sofort storniert.",
    "withdraw.free": "Es wird nichts berechnet.",
    "withdraw.removed": "Es wird nichts berechnet: {amount} werden von Ihrer nächsten "
    "Sammelrechnung entfernt.",
    "withdraw.corrected": "{amount} erstatten wir Ihnen mit einer Rechnungskorrektur zu "
    "Rechnung Nr. {number}.",
    "withdraw.also_removed": "Außerdem werden {amount} von Ihrer nächsten Sammelrechnung entfernt.",
    "withdraw.details": "Kündigen innerhalb von 14 Tagen nach der Buchung ist ein Widerruf: "
    "Die Option endet sofort und steht ab jetzt nicht mehr zur Verfügung.",
    "withdraw.done": "Widerrufen: {addon}.",
    "undo.done": "Kündigung zurückgenommen: {addon} ist wieder aktiv und wird verlängert.",
    "outcome.cancellation": "eine Kündigung zum Ende des Abrechnungszeitraums",
    "outcome.withdrawal": "ein Widerruf mit sofortiger Stornierung",
    # -- the text forms (mrkdwn: "<" and ">" are written &lt; &gt;) -----------------------
    "help.title": "*/addons*: Zusatzoptionen buchen und kündigen",
    "help.overview": "`/addons`: Übersicht öffnen, mit Hinzufügen und Kündigen",
    "help.help": "`/addons hilfe`: diese Hilfe",
    "help.list": "`/addons liste`: Ihre Zusatzoptionen als Text, mit Nummern",
    "help.book": "`/addons buchen &lt;Option&gt; &lt;Anzahl&gt;`: hinzubuchen, nach Ihrer "
    "Bestätigung, z. B. `/addons buchen users 3`",
    "help.option": "`{name}`: {label}",
    "help.cancel": "`/addons kündigen &lt;Nr.&gt;`: kündigen, nach Ihrer Bestätigung, "
    "z. B. `/addons kündigen 42`",
    "help.invoice": "`/addons rechnung`: kommende Sammelrechnung und letzte Rechnungen",
    "help.unknown": "Das habe ich nicht verstanden: „{word}“.",
    "help.cancel_needs_number": "Bitte geben Sie die Nummer der Zusatzoption an, z. B. "
    "`/addons kündigen 42`. Die Nummern zeigt `/addons liste`.",
    "list.line": "Nr. {id}: {addon}, {price}, abgerechnet bis {billed_until}, {status}",
    "list.hint": "Kündigen mit `/addons kündigen &lt;Nr.&gt;`.",
    # -- direct messages from the schedule (handlers/notifications.py) ------------------
    "notify.invoice": "Ihre Sammelrechnung Nr. {number} vom {date} ist erstellt: {total}.",
    "notify.ended": "Die Kündigung ist wirksam: {addon} wurde zum {date} beendet und wird "
    "nicht verlängert.",
    "notify.withdrawn": "Widerruf vom {date}: {addon} ist storniert.",
    "notify.correction": "Rechnungskorrektur K-{number} vom {date} zu Rechnung Nr. "
    "{corrects}: {total}.",
    # -- who may do what ----------------------------------------------------------------
    "refusal.not_admin": "Das dürfen nur Admins und Inhaber dieses Workspaces sowie "
    "Abrechnungs-Admins. Bitte wenden Sie sich an einen von ihnen.",
    "home.non_admin": "Hier buchen und kündigen die Admins Ihres Workspaces zusätzliche "
    "Benutzer und Speicherplatz für CloudCRM. Braucht Ihr Team mehr, wenden "
    "Sie sich bitte an einen Admin.",
    # -- errors (one per DomainError code) ----------------------------------------------
    "error.domain_error": "Das ging leider nicht. Es wurde nichts geändert.",
    "error.unknown_option": "Eine Zusatzoption „{option}“ gibt es nicht.",
    "error.quantity_out_of_range": "Bitte geben Sie eine ganze Zahl von 1 bis {maximum} ein. "
    "Es wurde nichts gebucht.",
    "error.unknown_addon": "Eine Zusatzoption Nr. {addon_id} gibt es in diesem Workspace nicht.",
    "error.already_cancelled": "Diese Zusatzoption ist bereits gekündigt, Kündigung zum {date}. "
    "Es wurde nichts geändert.",
    "error.already_ended": "Diese Zusatzoption ist bereits am {date} beendet. "
    "Es wurde nichts geändert.",
    "error.already_ended.withdrawn": "Diese Zusatzoption wurde bereits am {date} widerrufen. "
    "Es wurde nichts geändert.",
    "error.nothing_to_undo": "Für diese Zusatzoption ist keine Kündigung vorgemerkt; es gibt "
    "nichts zurückzunehmen.",
    "error.cancellation_took_effect": "Die Kündigung ist zum {date} wirksam geworden und kann "
    "nicht mehr zurückgenommen werden.",
    "error.outcome_changed": "Inzwischen wäre Kündigen {actual}, nicht mehr {confirmed}. Es "
    "wurde nichts geändert; bitte prüfen Sie die neue Abfrage.",
    "error.cancellation_date_changed": "Inzwischen hat ein neuer Abrechnungszeitraum begonnen: "
    "Kündigen wäre jetzt eine Kündigung zum {actual}, nicht "
    "mehr zum {confirmed}. Es wurde nichts geändert; bitte "
    "kündigen Sie erneut, wenn Sie möchten.",
    "error.booking_quote_expired": "Diese Abfrage galt für den {quoted}; heute ergäben sich ein "
    "anderer anteiliger Betrag und ein anderes Abrechnungsdatum. "
    "Es wurde nichts gebucht; bitte klicken Sie erneut auf "
    "Hinzufügen.",
    "error.not_a_billing_admin": "Das dürfen nur Admins und Inhaber dieses Workspaces sowie "
    "Abrechnungs-Admins. Bitte wenden Sie sich an einen von ihnen.",
    "error.unknown_workspace": "Für diesen Workspace ist noch kein CloudCRM-Abonnement "
    "eingerichtet. Bitte wenden Sie sich an den Support.",
    "error.unknown_invoice": "Eine Rechnung Nr. {number} gibt es nicht.",
    "error.unknown_correction": "Eine Rechnungskorrektur Nr. {number} gibt es nicht.",
    "error.anchor_locked": "Der Abrechnungsstichtag lässt sich nicht mehr ändern, weil bereits "
    "Zusatzoptionen gebucht sind.",
    "error.invalid_timezone": "Die Zeitzone „{timezone}“ gibt es nicht.",
    "error.invalid_billing_detail": "„{value}“ ist als {field} nicht gültig. Es wurde nichts "
    "geändert.",
    "error.invalid_view": "Diese Abfrage ist nicht mehr gültig. Es wurde nichts geändert; "
    "bitte öffnen Sie `/addons` erneut.",
    "error.unexpected": "Da ist leider etwas schiefgegangen. Bitte versuchen Sie es gleich "
    "noch einmal.",
    "error.teams_disagree": "Diese Anfrage nennt zwei verschiedene Workspaces und wurde "
    "abgelehnt. Es wurde nichts geändert; bitte öffnen Sie `/addons` erneut.",
    "error.busy": "Gerade ist viel los. Es wurde nichts geändert; bitte versuchen Sie es in "
    "einem Moment noch einmal.",
    # -- while a confirmation is being carried out (Slack has been answered already) ------
    "working.book": "Wird gebucht …",
    "working.cancel": "Wird gekündigt …",
    "working.withdraw": "Wird widerrufen …",
    "working.quote": "Wird berechnet …",
    "working.details": "Wird gespeichert …",
    # -- Rechnungsdaten (the buyer on every invoice) --------------------------------------
    "button.details": "Rechnungsdaten",
    "button.save": "Speichern",
    "details.title": "Rechnungsdaten",
    "details.intro": "An diese Anschrift stellen wir Ihre Sammelrechnungen aus. Ohne "
    "Firmennamen steht der Name Ihres Slack-Workspaces auf der Rechnung. Alle Preise "
    "verstehen sich zzgl. USt.",
    "details.sepa_intro": "*SEPA-Lastschriftmandat* (optional): Mit Mandat wird der "
    "Rechnungsbetrag bequem abgebucht, sonst überweisen Sie ihn.",
    "details.label.company": "Firma",
    "details.label.street": "Straße und Hausnummer",
    "details.label.postcode": "PLZ",
    "details.label.city": "Ort",
    "details.label.country": "Land",
    "details.label.vat_id": "USt-IdNr.",
    "details.label.invoice_email": "E-Mail für Rechnungen",
    "details.label.buyer_reference": "Leitweg-ID (Käuferreferenz)",
    "details.label.sepa_mandate": "Mandatsreferenz",
    "details.label.sepa_iban": "IBAN",
    "details.label.sepa_signed": "Unterschrieben am",
    "details.hint.country": "Zweistelliger ISO-Ländercode, z. B. DE, AT oder FR.",
    "details.hint.vat_id": "Mit dem Ländercode vorn (DE, AT, FR …). Mit einer gültigen "
    "USt-IdNr. aus einem anderen EU-Land gilt Reverse Charge.",
    "details.hint.buyer_reference": "Nur für öffentliche Auftraggeber (XRechnung).",
    "details.error.company": "Bitte höchstens 200 Zeichen, ohne Zeilenumbrüche.",
    "details.error.street": "Bitte höchstens 200 Zeichen, ohne Zeilenumbrüche.",
    "details.error.postcode": "Bitte höchstens 16 Zeichen.",
    "details.error.city": "Bitte höchstens 200 Zeichen, ohne Zeilenumbrüche.",
    "details.error.country": "Bitte den zweistelligen ISO-Ländercode angeben, z. B. DE, AT "
    "oder FR.",
    "details.error.vat_id": "Diese USt-IdNr. ist nicht gültig: Format, Prüfziffer oder Land "
    "passen nicht.",
    "details.error.invoice_email": "Bitte eine gültige E-Mail-Adresse angeben, z. B. "
    "rechnung@firma.de.",
    "details.error.buyer_reference": "Bitte höchstens 100 Zeichen.",
    "details.error.sepa_mandate": "Bitte höchstens 35 Zeichen.",
    "details.error.sepa_iban": "Diese IBAN ist nicht gültig: Format oder Prüfziffer passen nicht.",
    "details.error.sepa_signed": "Bitte das Datum im Format JJJJ-MM-TT angeben.",
    "details.error.sepa_missing": "Für ein SEPA-Mandat bitte Mandatsreferenz, IBAN und Datum "
    "angeben.",
    "details.error.other": "Dieser Wert ist nicht gültig.",
    "details.line": "*Rechnungsdaten:* {summary}",
    "details.none": "Noch keine Rechnungsdaten hinterlegt; Rechnungen gehen an {name}.",
    "details.vat_id": "USt-IdNr. {vat_id}",
    "details.reference": "Leitweg-ID {reference}",
    "details.mandate": "SEPA-Lastschrift: Mandat {reference}, {iban}, unterschrieben am {date}",
    "details.transfer": "Zahlung per Überweisung",
    "details.saved": "Rechnungsdaten gespeichert. Ab der nächsten Rechnung: {summary}",
}
