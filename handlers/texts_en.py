"""The Slack app's English texts: the same keys and placeholders as the German ones."""

from __future__ import annotations

EN: dict[str, str] = {
    "overview.title": "Add-ons",
    "overview.submit": "Done",
    "overview.close": "Close",
    "overview.intro": "Extend your CRM flexibly, as you need it. Add-ons can be cancelled monthly.",
    "overview.home_hint": "Press *Add* to choose a quantity and confirm the booking. "
    "Everything also works as text: `/addons help`.",
    "overview.loading": "One moment, loading the overview …",
    "option.description.users": "Your team is growing? Book more licences.",
    "option.description.storage": "More room for documents and e-mails.",
    "price.seat": "{price} / user / month",
    "price.seats": "{price} / {size} users / month",
    "price.gb": "{price} / {size} GB / month",
    "price.monthly": "{price} / month",
    "addon.seat": "{label} (+{amount})",
    "addon.gb": "{label} (+{amount} GB)",
    "quantity.label": "Quantity",
    "quantity.placeholder": "1 to {maximum}",
    "quantity.hint.seat": "A whole number from 1 to {maximum}.",
    "quantity.hint.gb": "A whole number from 1 to {maximum}, in packages of {size} GB: "
    "3 gives +{example} GB.",
    "quantity.error.empty": "Please enter a quantity.",
    "quantity.error.not_a_number": "Please enter a number.",
    "quantity.error.zero": "The quantity must be at least 1.",
    "quantity.error.negative": "The quantity cannot be negative.",
    "quantity.error.decimal": "Please enter a whole number, without decimals.",
    "quantity.error.too_large": "At most {maximum} at a time.",
    "button.add": "Add",
    "button.cancel": "Cancel",
    "button.undo": "Undo cancellation",
    "button.confirm": "Confirm",
    "button.back": "Back",
    "button.continue": "Continue",
    "button.more": "Show more",
    "button.previous": "Show previous",
    "table.title": "Your add-ons",
    "table.option": "OPTION",
    "table.price": "PRICE",
    "table.billed_until": "BILLED UNTIL",
    "table.status": "STATUS / ACTION",
    "table.empty": "You have not booked any add-ons yet.",
    "table.none": "–",
    "table.rows": "Rows {first}–{last} of {total}",
    "table.more_ended.one": "… and {count} more ended add-on",
    "table.more_ended.other": "… and {count} more ended add-ons",
    "table.more.one": "… and {count} more add-on",
    "table.more.other": "… and {count} more add-ons",
    "status.active": "Active",
    "status.pending": "Cancellation effective {date}",
    "status.ended": "Ended on {date}",
    "status.withdrawn": "Withdrawn on {date}",
    "entitlements.line": "Extra in force now: {items}",
    "entitlements.none": "no add-ons",
    "entitlements.seats.one": "{count} user",
    "entitlements.seats.other": "{count} users",
    "entitlements.gigabytes": "{count} GB",
    "invoice.entwurf_title": "Draft of your next consolidated invoice (on {date})",
    "invoice.entwurf_empty": "No lines yet.",
    "correction.title": "Invoice correction no. {number} of {date}",
    "correction.corrects": "Corrects invoice no. {number}. These lines are refunded:",
    "correction.line": "{addon}, {start}–{end}: {amount}",
    "invoice.recent_title": "Recent invoices",
    "invoice.recent_line": "No. {number} of {date}: {total}",
    "invoice.none": "No invoices yet.",
    "invoice.modal_title": "Invoice",
    "invoice.title": "Invoice no. {number} of {date}",
    "invoice.preview_title": "Upcoming consolidated invoice on {date}",
    "invoice.preview_note": "Preview as of today; it may still change until the invoice date.",
    "invoice.line.proration": "{addon}, prorated {start}–{end}: {amount}",
    "invoice.line.renewal": "{addon}, {start}–{end}: {amount}",
    "invoice.line.credit": "Invoice correction (withdrawal) {addon}, {start}–{end}: {amount}",
    "invoice.total": "Total: {total}",
    "invoice.empty": "No lines.",
    "invoice.more_lines.one": "… and {count} more line",
    "invoice.more_lines.other": "… and {count} more lines",
    "booking.modal_title": "Book an add-on",
    "booking.title": "Confirm booking",
    "booking.quantity": "Quantity",
    "booking.monthly_price": "Monthly price",
    "booking.prorated": "Prorated {start}–{end}",
    "booking.billed_until": "Billed until",
    "booking.explanation": "The add-on is available immediately. The prorated amount of "
    "{prorated} will be billed with your next consolidated invoice "
    "(on {invoice_date}). After that it costs {monthly} per month until "
    "you cancel it.",
    "booking.withdrawal_note": "Right of withdrawal: until {deadline}, Cancel withdraws the "
    "booking: the add-on ends at once and nothing is charged.",
    "booking.withdrawal_note_invoiced": "Right of withdrawal: until {deadline}, Cancel "
    "withdraws the booking: the add-on ends at once and nothing is charged. Until "
    "{last_draft_day} the amount is removed from your next consolidated invoice; after that it "
    "is on the consolidated invoice of {invoice_date}, and we refund it with an invoice "
    "correction.",
    "booking.done": "Booked: {addon}. Available immediately. Prorated {prorated}, billed until "
    "{billed_until}; billed with your next consolidated invoice.",
    "booking.catch_up": "The billing period through {billed_until} has been invoiced already: "
    "{amount} for it is added to your next consolidated invoice (on {invoice_date}).",
    "booking.repeated": "This booking was already made: {addon}. Nothing was booked twice.",
    "cancel.title": "Confirm cancellation",
    "cancel.what": "Cancellation effective {date}, usable until then.",
    "cancel.details": "After that the add-on is deactivated automatically and not renewed. "
    "Until {date} you can undo the cancellation.",
    "cancel.done": "Cancelled: {addon}. Cancellation effective {date}, usable until then.",
    "withdraw.title": "Confirm withdrawal",
    "withdraw.what": "Withdrawal: the add-on ends at once and nothing is charged: {amount} "
    "will be removed from your next consolidated invoice.",
    "withdraw.what_free": "Withdrawal: the add-on ends at once and nothing is charged.",
    "withdraw.what_short": "Withdrawal: the add-on ends at once.",
    "withdraw.free": "Nothing is charged.",
    "withdraw.removed": "Nothing is charged: {amount} will be removed from your next "
    "consolidated invoice.",
    "withdraw.corrected": "We refund {amount} with an invoice correction to invoice no. {number}.",
    "withdraw.also_removed": "In addition, {amount} will be removed from your next "
    "consolidated invoice.",
    "withdraw.details": "Within 14 days of booking, Cancel withdraws the booking: the add-on "
    "ends now and is no longer available.",
    "withdraw.done": "Withdrawn: {addon}.",
    "undo.done": "Cancellation undone: {addon} is active again and will be renewed.",
    "outcome.cancellation": "a cancellation at the end of the billing period",
    "outcome.withdrawal": "a withdrawal, ending the add-on at once",
    "help.title": "*/addons*: book and cancel add-ons",
    "help.overview": "`/addons`: open the overview, with Add and Cancel",
    "help.help": "`/addons help`: this help",
    "help.list": "`/addons list`: your add-ons as text, with numbers",
    "help.book": "`/addons book &lt;option&gt; &lt;quantity&gt;`: book after you confirm, "
    "e.g. `/addons book users 3`",
    "help.option": "`{name}`: {label}",
    "help.cancel": "`/addons cancel &lt;no.&gt;`: cancel (within 14 days of booking: withdraw) "
    "after you confirm, e.g. `/addons cancel 42`",
    "help.invoice": "`/addons invoice`: upcoming consolidated invoice and recent invoices",
    "help.unknown": "I did not understand “{word}”.",
    "help.cancel_needs_number": "Please give the number of the add-on, e.g. "
    "`/addons cancel 42`. `/addons list` shows the numbers.",
    "list.line": "No. {id}: {addon}, {price}, billed until {billed_until}, {status}",
    "list.hint": "Cancel with `/addons cancel &lt;no.&gt;`.",
    "notify.invoice": "Your consolidated invoice no. {number} of {date} has been issued: {total}.",
    "notify.ended": "The cancellation took effect: {addon} ended on {date} and will not be "
    "renewed.",
    "notify.withdrawn": "Withdrawal of {date}: {addon} has ended.",
    "notify.correction": "Invoice correction no. {number} of {date} to invoice "
    "no. {corrects}: {total}.",
    "refusal.not_admin": "Only admins and owners of this workspace and billing admins can do "
    "this. Please ask one of them.",
    "home.non_admin": "This is where the admins of your workspace book and cancel extra users "
    "and storage for CloudCRM. If your team needs more, please ask an admin.",
    "error.domain_error": "Sorry, that did not work. Nothing was changed.",
    "error.unknown_option": "There is no add-on option “{option}”.",
    "error.quantity_out_of_range": "Please enter a whole number from 1 to {maximum}. "
    "Nothing was booked.",
    "error.unknown_addon": "There is no add-on no. {addon_id} in this workspace.",
    "error.already_cancelled": "This add-on is already cancelled, effective {date}. "
    "Nothing was changed.",
    "error.already_ended": "This add-on already ended on {date}. Nothing was changed.",
    "error.already_ended.withdrawn": "This add-on was already withdrawn on {date}. "
    "Nothing was changed.",
    "error.nothing_to_undo": "This add-on has no scheduled cancellation; there is nothing to undo.",
    "error.cancellation_took_effect": "The cancellation took effect on {date} and can no longer "
    "be undone.",
    "error.outcome_changed": "Cancelling would now be {actual}, no longer {confirmed}. Nothing "
    "was changed; please check the new confirmation.",
    "error.cancellation_date_changed": "A new billing period has begun meanwhile: cancelling "
    "would now take effect on {actual}, no longer on "
    "{confirmed}. Nothing was changed; please cancel again "
    "if you wish.",
    "error.booking_quote_expired": "This confirmation was for {quoted}; today the prorated "
    "amount and the billed-until date would differ. Nothing was "
    "booked; please press Add again.",
    "error.not_a_billing_admin": "Only admins and owners of this workspace and billing admins "
    "can do this. Please ask one of them.",
    "error.unknown_workspace": "No CloudCRM subscription is set up for this workspace yet. "
    "Please contact support.",
    "error.unknown_invoice": "There is no invoice no. {number}.",
    "error.unknown_correction": "There is no invoice correction no. {number}.",
    "error.anchor_locked": "The billing date can no longer change because add-ons are "
    "already booked.",
    "error.invalid_timezone": "There is no time zone “{timezone}”.",
    "error.invalid_view": "This confirmation is no longer valid. Nothing was changed; please "
    "open `/addons` again.",
    "error.unexpected": "Sorry, something went wrong. Please try again in a moment.",
    "error.teams_disagree": "This request names two different workspaces and was refused. "
    "Nothing was changed; please open `/addons` again.",
    "error.busy": "We are busy right now. Nothing was changed; please try again in a moment.",
    "working.book": "Booking …",
    "working.cancel": "Cancelling …",
    "working.withdraw": "Withdrawing …",
    "working.quote": "Working out the price …",
}
