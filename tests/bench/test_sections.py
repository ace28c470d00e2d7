"""Benchmarks share bench/results.md: each replaces its own section and keeps the others'."""

from bench.sections import keep_sections, write_section


def test_a_section_is_appended_then_replaced_and_kept_by_a_whole_rewrite(tmp_path):
    results = tmp_path / "results.md"
    results.write_text("# Customer surfaces\n\nold table\n", encoding="utf-8")

    write_section(results, "care", "# Relationship care\n\nfirst run")
    write_section(results, "loyalty", "# Loyalty\n\nledger")
    write_section(results, "care", "# Relationship care\n\nsecond run")
    text = results.read_text(encoding="utf-8")
    assert text.count("# Relationship care") == 1 and "second run" in text and "first run" not in text
    assert text.index("old table") < text.index("second run") < text.index("ledger")

    rewritten = keep_sections(results, "# Customer surfaces\n\nnew table\n")
    assert rewritten.startswith("# Customer surfaces\n\nnew table\n")
    assert "old table" not in rewritten
    assert "second run" in rewritten and "ledger" in rewritten


def test_keeping_sections_of_a_missing_file_keeps_the_text(tmp_path):
    assert keep_sections(tmp_path / "none.md", "# Customer surfaces\n") == "# Customer surfaces\n"
