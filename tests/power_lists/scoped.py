"""Power-list endpoints with URL parameters, for the access-matrix test: none is town-scoped."""

_COUNTY_WIDE = ("the power list is county-wide: versions are loaded through the legal officer's county, "
                "and town staff have no power-list permission")

POWER_LIST_UNSCOPED = {
    **{f"legal.{name}": _COUNTY_WIDE for name in (
        "version", "item", "new_item", "edit_item", "revoke_item", "submit", "discard", "review", "export",
        "edit_guide")},
    "admin.office": "offices are county-wide records, loaded through the administrator's county",
    "legal.import_preview": "a pending import is visible only to the person who uploaded it (random token)",
    "legal.import_confirm": "a pending import is visible only to the person who uploaded it (random token)",
    "api_power_lists.submit": _COUNTY_WIDE,
    "api_power_lists.publish": _COUNTY_WIDE,
}
