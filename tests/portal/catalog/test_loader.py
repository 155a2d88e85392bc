"""The loader reports every problem in every file, each on the line to edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel.i18n import gettext_
from portal.catalog import CatalogError, CatalogIssue, check_catalog, load_catalog

VALID = """\
slug: sample
name: {vi: "Thủ tục mẫu", en: "Sample procedure"}
category: civil_status
agency: {vi: "UBND phường Phú Xuân", en: "Phu Xuan Ward People's Committee"}
legal_basis: [Luật Hộ tịch 60/2014/QH13]
online_level: full
processing:
  kind: working_days
  days: 3
fee:
  kind: fixed
  amount: 10000
fields:
  - name: married
    type: choice
    label: {vi: "Đã kết hôn chưa?", en: "Married?"}
    choices:
      - {value: "yes", label: {vi: "Rồi", en: "Yes"}}
      - {value: "no", label: {vi: "Chưa", en: "No"}}
  - name: spouse_name
    type: text
    label: {vi: "Vợ hoặc chồng tên gì?", en: "Spouse's name?"}
    when: {field: married, value: "yes"}
documents:
  - code: id_card
    name: {vi: "Thẻ căn cước", en: "ID card"}
    when: {field: married, value: "yes"}
result: {vi: "Nhận tại phường", en: "At the ward"}
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _line(text: str, fragment: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing ``fragment``."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    assert len(hits) >= occurrence, fragment
    return hits[occurrence - 1]


def _broken(
    tmp_path: Path, old: str, new: str, name: str = "sample.yml"
) -> tuple[str, list[CatalogIssue]]:
    assert old in VALID
    text = VALID.replace(old, new, 1)
    _write(tmp_path, name, text)
    return text, check_catalog(tmp_path)


def test_the_fixture_itself_is_valid(tmp_path: Path) -> None:
    _write(tmp_path, "sample.yml", VALID)
    assert check_catalog(tmp_path) == []
    catalog = load_catalog(tmp_path)
    assert len(catalog) == 1 and catalog.get("sample").name.en == "Sample procedure"


def test_yaml_syntax_error_is_reported_on_its_line(tmp_path: Path) -> None:
    text, issues = _broken(tmp_path, "online_level: full", "online_level: full: partial")
    [issue] = issues
    assert issue.file == "sample.yml"
    assert issue.line == _line(text, "online_level")
    assert "YAML" in issue.message


def test_unknown_key_is_reported_on_its_line(tmp_path: Path) -> None:
    text, issues = _broken(tmp_path, "  amount: 10000\n", "  amount: 10000\n  colour: red\n")
    [issue] = issues
    assert (issue.file, issue.line) == ("sample.yml", _line(text, "colour"))
    assert issue.message.startswith("fee.colour: ")


def test_wrong_type_is_reported_on_its_line(tmp_path: Path) -> None:
    text, issues = _broken(tmp_path, "amount: 10000", "amount: lots")
    [issue] = issues
    assert issue.line == _line(text, "amount: lots")
    assert issue.message == "fee.amount: must be a whole number"
    assert str(issue) == f"sample.yml:{issue.line}: fee.amount: must be a whole number"


def test_missing_key_names_the_key(tmp_path: Path) -> None:
    _text, issues = _broken(tmp_path, 'result: {vi: "Nhận tại phường", en: "At the ward"}\n', "")
    [issue] = issues
    assert issue.line == 1
    assert issue.message == "result: this key is required"


def test_bad_condition_reference_is_reported_on_the_condition(tmp_path: Path) -> None:
    text, issues = _broken(
        tmp_path,
        'when: {field: married, value: "yes"}\ndocuments',
        'when: {field: maried, value: "yes"}\ndocuments',
    )
    # The model's own line-less complaint about the same reference is not repeated.
    [issue] = issues
    assert issue.line == _line(text, "field: maried")
    assert issue.message.startswith("fields.1.when.field: ") and "'maried'" in issue.message


def test_condition_on_a_value_that_is_not_a_choice(tmp_path: Path) -> None:
    text, issues = _broken(
        tmp_path,
        '    when: {field: married, value: "yes"}\nresult',
        '    when: {field: married, value: "maybe"}\nresult',
    )
    [issue] = issues
    assert issue.line == _line(text, '"maybe"')
    assert issue.message.startswith("documents.0.when.value: ") and "yes, no" in issue.message


def test_unquoted_yes_gets_a_hint_to_quote_it(tmp_path: Path) -> None:
    text, issues = _broken(
        tmp_path,
        'when: {field: married, value: "yes"}\ndocuments',
        "when: {field: married, value: yes}\ndocuments",
    )
    [issue] = issues
    assert issue.line == _line(text, "value: yes}")
    assert "quotes" in issue.message


def test_condition_on_a_later_question(tmp_path: Path) -> None:
    text = VALID.replace(
        '    label: {vi: "Đã kết hôn chưa?", en: "Married?"}\n',
        '    label: {vi: "Đã kết hôn chưa?", en: "Married?"}\n'
        '    when: {field: spouse_name, value: "x"}\n',
    )
    _write(tmp_path, "sample.yml", text)
    [issue] = check_catalog(tmp_path)
    assert issue.line == _line(text, "field: spouse_name")
    assert "asked later" in issue.message


def test_duplicate_key_is_reported_on_the_second_one(tmp_path: Path) -> None:
    text, issues = _broken(
        tmp_path, "category: civil_status\n", "category: civil_status\ncategory: residence\n"
    )
    [issue] = issues
    assert issue.line == _line(text, "category:", occurrence=2)
    first = _line(text, "category:")
    assert (
        issue.message == f"category: this key is given twice (first on line {first}); keep only one"
    )


def test_file_name_must_be_the_slug(tmp_path: Path) -> None:
    _write(tmp_path, "other.yml", VALID)
    [issue] = check_catalog(tmp_path)
    assert (issue.file, issue.line) == ("other.yml", 1)
    assert "'sample'" in issue.message and "'other'" in issue.message


def test_duplicate_slugs_across_files(tmp_path: Path) -> None:
    _write(tmp_path, "sample.yml", VALID)
    _write(tmp_path, "sample.yaml", VALID)
    [issue] = check_catalog(tmp_path)
    assert issue.file == "sample.yml" and issue.line == 1
    assert "sample.yaml" in issue.message


def test_a_union_value_of_the_wrong_shape_is_one_issue(tmp_path: Path) -> None:
    text, issues = _broken(
        tmp_path,
        'when: {field: married, value: "yes"}\ndocuments',
        "when: {field: married, value: {a: 1}}\ndocuments",
    )
    [issue] = issues
    assert issue.line == _line(text, "value: {a: 1}")
    assert issue.message.startswith("fields.1.when.value: ")


def test_every_error_in_every_file_is_reported_together(tmp_path: Path) -> None:
    first = VALID.replace("amount: 10000", "amount: lots").replace(
        "category: civil_status", "category: gardening"
    )
    _write(tmp_path, "sample.yml", first)
    second = VALID.replace("slug: sample", "slug: second").replace("days: 3", "days: 3\n  hours: 4")
    _write(tmp_path, "second.yml", second)
    _write(tmp_path, "third.yml", "slug: third\nname: [unclosed\n")
    _write(tmp_path, "fine.yml", VALID.replace("slug: sample", "slug: fine"))

    issues = check_catalog(tmp_path)
    where = [(i.file, i.line) for i in issues]
    assert where == [
        ("sample.yml", _line(first, "category:")),
        ("sample.yml", _line(first, "amount:")),
        ("second.yml", _line(second, "hours:")),
        ("third.yml", 3),  # the end of the file, where the closing ] is missing
    ]
    with pytest.raises(CatalogError) as raised:
        load_catalog(tmp_path)
    assert raised.value.issues == issues
    assert all(str(i) in str(raised.value) for i in issues)


def test_empty_file_and_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    _write(tmp_path, "empty.yml", "# nothing yet\n")
    _write(tmp_path, "listed.yml", "- slug: listed\n")
    issues = {i.file: i for i in check_catalog(tmp_path)}
    assert set(issues) == {"empty.yml", "listed.yml"}
    assert issues["empty.yml"].message == "the file is empty"
    assert issues["listed.yml"].line == 1


def test_missing_and_empty_folders(tmp_path: Path) -> None:
    [missing] = check_catalog(tmp_path / "nowhere")
    assert missing.line is None and str(missing).endswith("there is no catalog folder here")
    (tmp_path / "README.txt").write_text("not a catalog file")
    [empty] = check_catalog(tmp_path)
    assert "no .yml files" in empty.message


def test_issues_read_in_vietnamese(tmp_path: Path) -> None:
    text, issues = _broken(tmp_path, "  amount: 10000\n", "  amount: 10000\n  colour: red\n")
    [issue] = issues
    translated = gettext_("unknown key; check its spelling", "vi")
    assert translated != "unknown key; check its spelling"
    assert issue.text("vi") == f"sample.yml:{_line(text, 'colour')}: fee.colour: {translated}"
    assert issue.text("en") == str(issue)


@pytest.mark.parametrize(
    ("old", "new", "marker", "says"),
    [
        (  # a second field with the same name
            "  - name: spouse_name",
            "  - name: married",
            "  - name: married",
            "already used by fields.0",
        ),
        (  # a fee counted on a text field
            "  amount: 10000\n",
            "  amount: 10000\n  quantity_field: spouse_name\n",
            "quantity_field",
            "must be a number field",
        ),
        (  # a day count on a field that is not a date
            '    when: {field: married, value: "yes"}\nresult',
            "    when: {field: married, op: within_days, value: 60}\nresult",
            "op: within_days",
            "needs a date field",
        ),
    ],
)
def test_cross_reference_problems_point_at_their_line(
    tmp_path: Path, old: str, new: str, marker: str, says: str
) -> None:
    text, issues = _broken(tmp_path, old, new)
    [issue] = issues
    occurrence = 2 if marker == "  - name: married" else 1
    assert issue.line == _line(text, marker, occurrence)
    assert says in issue.message
