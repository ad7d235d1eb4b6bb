"""The invoice as a document: a ZUGFeRD / Factur-X PDF/A-3 (EN 16931) and its CII XML.

``model`` is the flat view model; ``cii`` writes the XML (EN 16931 or XRechnung),
``pdf`` and ``layout`` draw the PDF and embed the XML, ``validation`` runs the XSD, the
Schematron and the BR-DE rules, ``from_ledger`` is the one mapping from the ledger.
"""
