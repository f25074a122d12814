"""One form, one set of materials: the bundle's form composed from its items' published forms.

A field or material that several items ask for (the same key of the shared catalogue, see
``catalogue``) is asked once and its answer goes to every item that asks it; everything else is asked
in the item's own section. Two items asking the same thing in different forms (another type, length,
options or bounds) is a *conflict*: legal affairs resolve it by choosing whose definition the shared
question uses, or by asking each item separately. An unresolved conflict blocks publishing.

Composed names: a shared field is ``s_<key>``, an item's own field ``i<n>_<name>`` (n = the item's
position from 1); a shared material ``S-<key>``, an item's own ``<n>-<code>``. Nothing here touches the
database. See docs/bundles.md, "Shared fields".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from forms.definition import FieldDef, FormDefinition, Material, ShowIf
from service_hall.bundles import catalogue

SEPARATE = "separate"  # a resolution: ask each item's field on its own


@dataclass(frozen=True)
class ItemForm:
    """One item of the bundle as the composer sees it: its code, name and published form."""

    code: str
    name: str
    definition: FormDefinition


@dataclass(frozen=True)
class Placement:
    """Where one field or material of one item goes in the bundle's form."""

    item_code: str
    item_name: str
    name: str  # the item's field name or material code
    label: str
    kind: str  # "field" or "material"
    key: str  # shared key ("" when asked on its own)
    suggested: bool  # the key came from the catalogue, not from legal affairs
    composed: str  # the composed field name or material code it is asked as


@dataclass(frozen=True)
class Conflict:
    """The same shared thing asked differently by several items."""

    key: str
    label: str
    kind: str  # "field" or "material"
    items: tuple[str, ...]  # item codes
    differences: tuple[str, ...]
    same_type: bool  # whether choosing one definition is possible (otherwise only SEPARATE)
    resolution: str  # "" (unresolved), an item code, or SEPARATE

    @property
    def resolved(self) -> bool:
        return bool(self.resolution)


@dataclass(frozen=True)
class Section:
    """A part of the composed form: the shared questions, or one item's own ones."""

    title: str
    item_code: str | None
    definition: FormDefinition


@dataclass
class Composition:
    definition: FormDefinition
    sections: list[Section]
    placements: list[Placement]
    conflicts: list[Conflict]
    # composed field name → [(item code, field name)]; composed material code → [(item code, code)]
    field_targets: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    material_targets: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def unresolved(self) -> list[Conflict]:
        return [c for c in self.conflicts if not c.resolved]

    def split(self, values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """The composed form's values as each item's form data, by item code."""
        out: dict[str, dict[str, Any]] = {}
        for composed, targets in self.field_targets.items():
            if composed not in values:
                continue
            for code, name in targets:
                out.setdefault(code, {})[name] = values[composed]
        return out

    def split_materials(self, files: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """The composed form's uploads (by composed code) as each item's materials, by item code."""
        out: dict[str, dict[str, Any]] = {}
        for composed, targets in self.material_targets.items():
            if composed in files:
                for code, material in targets:
                    out.setdefault(code, {})[material] = files[composed]
        return out

    def composed_field(self, item_code: str, name: str) -> str | None:
        return next((c for c, targets in self.field_targets.items() if (item_code, name) in targets), None)

    def composed_material(self, item_code: str, code: str) -> str | None:
        return next((c for c, targets in self.material_targets.items() if (item_code, code) in targets), None)

    def composed_path(self, item_code: str, path: str) -> str:
        """An item's error path (``members[2].id_number``, ``material-M02``) in the composed form's names."""
        if path.startswith("material-"):
            composed = self.composed_material(item_code, path.removeprefix("material-"))
            return f"material-{composed}" if composed else path
        head, sep, rest = _split_path(path)
        composed = self.composed_field(item_code, head)
        return f"{composed}{sep}{rest}" if composed else path


def _split_path(path: str) -> tuple[str, str, str]:
    cut = min((i for i in (path.find("["), path.find(".")) if i >= 0), default=-1)
    return (path, "", "") if cut < 0 else (path[:cut], path[cut], path[cut + 1:])


def _shape(spec: FieldDef) -> dict[str, Any]:
    """What makes two fields the same question (not their name, label, help or required-ness)."""
    return {"type": spec.type, "max_length": spec.length_limit, "pattern": spec.pattern, "min": spec.min,
            "max": spec.max, "integer": spec.integer, "decimal_places": spec.decimal_places, "unit": spec.unit,
            "options": tuple((o.value, o.label) for o in spec.options), "multiple": spec.multiple,
            "fields": tuple(_shape(f).items() for f in spec.fields), "max_span_days": spec.max_span_days,
            "min_rows": spec.min_rows, "max_rows": spec.max_rows}


_DIFFERENCE_WORDS = {"type": "类型", "max_length": "长度上限", "pattern": "格式要求", "min": "最小值", "max": "最大值",
                     "integer": "是否整数", "decimal_places": "小数位数", "unit": "单位", "options": "可选项",
                     "multiple": "是否多选", "fields": "表格列", "max_span_days": "最长跨度",
                     "min_rows": "最少行数", "max_rows": "最多行数"}


def _describe(value: Any) -> str:
    if isinstance(value, tuple):
        return "、".join(label for _, label in value) if value and isinstance(value[0], tuple) \
            and len(value[0]) == 2 and isinstance(value[0][1], str) else "不同"
    if value is None:
        return "不限"
    return str(getattr(value, "value", getattr(value, "regex", value)))


def _field_differences(specs: Sequence[tuple[ItemForm, FieldDef]]) -> list[str]:
    shapes = [(form, _shape(spec)) for form, spec in specs]
    out = []
    for key, word in _DIFFERENCE_WORDS.items():
        values = [s[key] for _, s in shapes]
        if any(v != values[0] for v in values[1:]):
            out.append(f"{word}不同（" + "；".join(f"{form.name}：{_describe(s[key])}" for form, s in shapes) + "）")
    return out


def _material_differences(specs: Sequence[tuple[ItemForm, Material]]) -> list[str]:
    out = []
    accepts = [tuple(sorted(m.accept)) for _, m in specs]
    if any(a != accepts[0] for a in accepts[1:]):
        out.append("接受的文件格式不同（" + "；".join(f"{f.name}：{'、'.join(m.accept)}" for f, m in specs) + "）")
    sizes = [m.max_bytes for _, m in specs]
    if any(s != sizes[0] for s in sizes[1:]):
        out.append("文件大小上限不同（" + "；".join(f"{f.name}：{m.max_bytes // (1024 * 1024)}MB" for f, m in specs)
                   + "）")
    return out


def _key_of(overrides: Mapping[str, Mapping[str, str]], code: str, name: str, suggested: str) -> tuple[str, bool]:
    chosen = (overrides.get(code) or {}).get(name)
    return (suggested, True) if chosen is None else (chosen, False)


def compose(title: str, items: Sequence[ItemForm], *, field_map: Mapping[str, Mapping[str, str]] | None = None,
            material_map: Mapping[str, Mapping[str, str]] | None = None,
            resolutions: Mapping[str, str] | None = None) -> Composition:
    """The bundle's form from its items' forms. Raises nothing: problems are conflicts to resolve."""
    field_map, material_map, resolutions = field_map or {}, material_map or {}, resolutions or {}
    # 1. Which key each field and material is asked as.
    field_keys: dict[tuple[str, str], tuple[str, bool]] = {}
    material_keys: dict[tuple[str, str], tuple[str, bool]] = {}
    by_key: dict[str, list[tuple[ItemForm, FieldDef]]] = {}
    mat_by_key: dict[str, list[tuple[ItemForm, Material]]] = {}
    for form in items:
        taken: set[str] = set()  # a suggestion is made once per item: 代办人身份证 is not the applicant's
        for spec in form.definition.fields:
            suggestion = catalogue.suggest_field(spec)
            key, suggested = _key_of(field_map, form.code, spec.name, "" if suggestion in taken else suggestion)
            if key and (key not in catalogue.FIELD_KEYS or spec.show_if is not None or key in taken):
                key, suggested = "", False
            taken.add(key)
            field_keys[(form.code, spec.name)] = (key, suggested)
            if key:
                by_key.setdefault(key, []).append((form, spec))
        taken = set()
        for material in form.definition.materials:
            suggestion = catalogue.suggest_material(material)
            key, suggested = _key_of(material_map, form.code, material.code, "" if suggestion in taken else suggestion)
            if key and (key not in catalogue.MATERIAL_KEYS or key in taken):
                key, suggested = "", False
            taken.add(key)
            material_keys[(form.code, material.code)] = (key, suggested)
            if key:
                mat_by_key.setdefault(key, []).append((form, material))
    # 2. Conflicts among the fields (materials) that share a key in more than one item.
    conflicts: list[Conflict] = []
    shared_source: dict[str, tuple[ItemForm, FieldDef]] = {}
    for key, specs in by_key.items():
        if len({f.code for f, _ in specs}) < 2 and len(specs) < 2:
            shared_source[key] = specs[0]
            continue
        differences = _field_differences(specs)
        resolution = resolutions.get(key, "")
        same_type = len({s.type for _, s in specs}) == 1
        if not differences:
            shared_source[key] = specs[0]
            continue
        if resolution and resolution != SEPARATE and (not same_type or resolution not in {f.code for f, _ in specs}):
            resolution = ""
        conflicts.append(Conflict(key, catalogue.FIELD_KEYS[key].label, "field", tuple(f.code for f, _ in specs),
                                  tuple(differences), same_type, resolution))
        if resolution and resolution != SEPARATE:
            shared_source[key] = next((f, s) for f, s in specs if f.code == resolution)
    mat_source: dict[str, tuple[ItemForm, Material]] = {}
    for key, mats in mat_by_key.items():
        differences = _material_differences(mats) if len(mats) > 1 else []
        if not differences:
            mat_source[key] = mats[0]
            continue
        resolution = resolutions.get("material:" + key, "")
        if resolution and resolution != SEPARATE and resolution not in {f.code for f, _ in mats}:
            resolution = ""
        conflicts.append(Conflict("material:" + key, catalogue.MATERIAL_KEYS[key].label, "material",
                                  tuple(f.code for f, _ in mats), tuple(differences), True, resolution))
        if resolution and resolution != SEPARATE:
            mat_source[key] = next((f, m) for f, m in mats if f.code == resolution)
    # 3. The composed fields and materials, section by section.
    comp = Composition(definition=FormDefinition(title=title, fields=()), sections=[], placements=[],
                       conflicts=conflicts)
    shared_fields: list[FieldDef] = []
    shared_materials: list[Material] = []
    sections: list[tuple[ItemForm, list[FieldDef], list[Material]]] = []
    for n, form in enumerate(items, start=1):
        own_fields: list[FieldDef] = []
        own_materials: list[Material] = []
        names: dict[str, str] = {}
        for spec in form.definition.fields:
            key, suggested = field_keys[(form.code, spec.name)]
            composed = f"s_{key}" if key in shared_source else f"i{n}_{spec.name}"
            names[spec.name] = composed
            comp.field_targets.setdefault(composed, []).append((form.code, spec.name))
            comp.placements.append(Placement(form.code, form.name, spec.name, spec.label, "field",
                                             key if key in shared_source else "", suggested, composed))
            if key in shared_source:
                source_form, source = shared_source[key]
                if source_form is form and source.name == spec.name:
                    required = any(s.required for _, s in by_key[key])
                    shared_fields.append(replace(source, name=composed, label=catalogue.FIELD_KEYS[key].label,
                                                 required=required))
            else:
                own_fields.append(spec)
        renamed = [replace(spec, name=names[spec.name], show_if=_renamed(spec.show_if, names)) for spec in own_fields]
        for material in form.definition.materials:
            key, suggested = material_keys[(form.code, material.code)]
            composed = f"S-{key}" if key in mat_source else f"{n}-{material.code}"
            comp.material_targets.setdefault(composed, []).append((form.code, material.code))
            comp.placements.append(Placement(form.code, form.name, material.code, material.name, "material",
                                             key if key in mat_source else "", suggested, composed))
            if key in mat_source:
                source_form, source_mat = mat_source[key]
                if source_form is form and source_mat.code == material.code:
                    shared = mat_by_key[key]
                    shared_materials.append(replace(
                        source_mat, code=composed, name=catalogue.MATERIAL_KEYS[key].label,
                        required=any(m.required for _, m in shared),
                        deferrable=all(m.deferrable or not m.required for _, m in shared),
                        help="一次提交，用于：" + "、".join(f.name for f, _ in shared)))
            else:
                own_materials.append(replace(material, code=composed))
        sections.append((form, renamed, own_materials))
    comp.sections.append(Section("共同信息（只需填写一次）", None,
                                 FormDefinition(title="共同信息", fields=tuple(shared_fields),
                                                materials=tuple(shared_materials))))
    for form, fields, materials in sections:
        comp.sections.append(Section(form.name, form.code, FormDefinition(title=form.name, fields=tuple(fields),
                                                                         materials=tuple(materials))))
    comp.definition = FormDefinition(
        title=title, fields=tuple(f for s in comp.sections for f in s.definition.fields),
        materials=tuple(m for s in comp.sections for m in s.definition.materials))
    return comp


def _renamed(show_if: ShowIf | None, names: Mapping[str, str]) -> ShowIf | None:
    if show_if is None:
        return None
    return replace(show_if, field=names.get(show_if.field, show_if.field))
