"""Wording that reads as a person would write it."""

from __future__ import annotations

from types import SimpleNamespace

from service_hall.certificates.issuing import legal_basis_text


def test_one_regulation_is_named_once_with_its_articles():
    item = SimpleNamespace(setting_basis=[
        {"law": "社会救助暂行办法", "article": "第四十七条"}, {"law": "《社会救助暂行办法》", "article": "第四十八条"},
        {"law": "中华人民共和国老年人权益保障法", "article": "第三十三条"},
        {"law": "社会救助暂行办法", "article": "第四十七条"}], implementing_basis=[])
    assert legal_basis_text(item) == ("《社会救助暂行办法》第四十七条、第四十八条、"
                                      "《中华人民共和国老年人权益保障法》第三十三条")
