"""List answers' rules on words written here: which listed noun asks for which entities (no models)."""

import pytest

from qa.kinds.listing import _also_listed, labels_for


@pytest.mark.parametrize(
    ("head", "labels"),
    [
        ("nationalities", ("NORP",)),  # stems to "nation", as "nations" does
        ("nations", ("GPE",)),
        ("organizations", ("ORG", "NORP")),  # the American spelling
        ("villages", ("GPE", "LOC", "FAC")),
        ("measures", ()),
    ],
)
def test_a_listed_noun_asks_for_its_kind_of_entity(head, labels):
    assert labels_for(head) == labels


def test_a_second_listed_noun_is_read_beside_the_first():
    assert _also_listed("Which clubs and coaches backed the ban?", "clubs") == ["coaches"]
    assert _also_listed("Which clubs backed the ban and the fine?", "clubs") == []
    assert _also_listed("Who was involved?", "who") == []
