"""The default survey templates (visit, complaint, relationship), in three languages:
installed by migration 0002 and restored after a flush."""

from __future__ import annotations

NPS = (
    "How likely are you to recommend our bank to a friend or colleague?",
    "您向朋友或同事推荐我行的可能性有多大？",
    "您向朋友或同事推薦我行的可能性有多大？",
)
COMMENT = (
    "What is the main reason for your score?",
    "您给出这个分数的主要原因是什么？",
    "您給出這個分數的主要原因是什麼？",
)

DEFAULT_TEMPLATES = [
    {
        "code": "visit",
        "trigger": "visit",
        "titles": ("How was your meeting with us?", "您对本次会面满意吗？", "您對本次會面滿意嗎？"),
        "questions": [
            (
                "csat",
                (
                    "How satisfied are you with your recent meeting with your relationship manager?",
                    "您对最近与客户经理的会面满意吗？",
                    "您對最近與客戶經理的會面滿意嗎？",
                ),
                True,
            ),
            ("nps", NPS, True),
            ("text", COMMENT, False),
        ],
    },
    {
        "code": "complaint",
        "trigger": "complaint",
        "titles": (
            "How did we handle your complaint?",
            "我们对您投诉的处理如何？",
            "我們對您投訴的處理如何？",
        ),
        "questions": [
            (
                "csat",
                (
                    "How satisfied are you with how your complaint was resolved?",
                    "您对投诉的解决结果满意吗？",
                    "您對投訴的解決結果滿意嗎？",
                ),
                True,
            ),
            (
                "text",
                (
                    "What could we have done better?",
                    "我们还有哪些可以改进的地方？",
                    "我們還有哪些可以改進的地方？",
                ),
                False,
            ),
        ],
    },
    {
        "code": "relationship",
        "trigger": "relationship",
        "titles": ("Your relationship with our bank", "您与我行的关系", "您與我行的關係"),
        "questions": [("nps", NPS, True), ("text", COMMENT, False)],
    },
]


def ensure_default_templates(template_model, question_model, *, using: str = "default") -> int:
    """Install the default templates when there is none (a new or flushed database)."""
    if template_model.objects.using(using).exists():
        return 0
    for spec in DEFAULT_TEMPLATES:
        en, hans, hant = spec["titles"]
        template = template_model.objects.using(using).create(
            code=spec["code"], trigger=spec["trigger"], title_en=en, title_zh_hans=hans, title_zh_hant=hant
        )
        for position, (kind, (q_en, q_hans, q_hant), required) in enumerate(spec["questions"], start=1):
            question_model.objects.using(using).create(
                template=template,
                position=position,
                kind=kind,
                text_en=q_en,
                text_zh_hans=q_hans,
                text_zh_hant=q_hant,
                is_required=required,
            )
    return len(DEFAULT_TEMPLATES)
