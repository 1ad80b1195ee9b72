"""Intrinsic functions resolved to local values, and the API's AWS URL pointed at this machine."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from course_cli.sam.app import read_app
from course_cli.sam.intrinsics import NO_VALUE, Intrinsics, LocalNames, Unresolvable

NAMES = LocalNames(
    refs={"Table": "products"},
    attributes={("Fn", "Arn"): "arn:aws:lambda:us-east-1:123456789012:function:fn"},
)


@pytest.fixture
def intrinsics() -> Intrinsics:
    return Intrinsics(
        {"Stage": "dev", "Sizes": ["s", "m"]},
        NAMES,
        region="us-east-1",
        account_id="123456789012",
        stack_name="shop",
        conditions={"IsDev": {"Fn::Equals": [{"Ref": "Stage"}, "dev"]}},
        mappings={"Plans": {"dev": {"Memory": 128}}},
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Ref": "Table"}, "products"),
        ({"Fn::Sub": "${AWS::StackName}-${Stage}-${Table}"}, "shop-dev-products"),
        ({"Fn::Sub": "${Fn.Arn}:${!Literal}"}, f"{NAMES.attributes[('Fn', 'Arn')]}:${{Literal}}"),
        ({"Fn::Sub": ["${A}/${Stage}", {"A": {"Ref": "Table"}}]}, "products/dev"),
        ({"Fn::GetAtt": ["Fn", "Arn"]}, NAMES.attributes[("Fn", "Arn")]),
        ({"Fn::If": ["IsDev", "debug", "info"]}, "debug"),
        ({"Fn::Join": ["-", [{"Ref": "Stage"}, "x"]]}, "dev-x"),
        ({"Fn::Select": [1, {"Ref": "Sizes"}]}, "m"),
        ({"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}, "a"),
        ({"Fn::FindInMap": ["Plans", {"Ref": "Stage"}, "Memory"]}, 128),
        ({"Fn::Base64": "hi"}, "aGk="),
        ({"A": {"Ref": "AWS::NoValue"}, "B": 1}, {"B": 1}),
    ],
)
def test_resolves(intrinsics: Intrinsics, value: object, expected: object) -> None:
    assert intrinsics.resolve(value) == expected


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ({"Fn::ImportValue": "Shared"}, "Fn::ImportValue"),
        ({"Ref": "Missing"}, "Ref Missing"),
        ({"Fn::GetAtt": ["Table", "StreamArn"]}, "Table.StreamArn"),
        ({"Fn::If": ["Nope", 1, 2]}, "condition Nope"),
    ],
)
def test_what_has_no_local_value_is_named(
    intrinsics: Intrinsics, value: object, named: str
) -> None:
    with pytest.raises(Unresolvable, match=named):
        intrinsics.resolve(value)
    assert intrinsics.resolve({"Ref": "AWS::NoValue"}) is NO_VALUE


def test_the_apis_aws_url_in_a_variable_points_here(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {}\n")
    template = tmp_path / "template.yaml"
    template.write_text(
        textwrap.dedent(
            """\
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.handler
                  Runtime: python3.12
                  Environment:
                    Variables:
                      SELF_URL: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/"
                      SHARED: !ImportValue shared-url
                  Events:
                    Get:
                      Type: Api
                      Properties: {Path: /, Method: get}
            """
        )
    )
    app = read_app(template, local_url="http://127.0.0.1:3000")
    assert app.function("Fn").environment == {"SELF_URL": "http://127.0.0.1:3000/Prod/"}
    assert any("variable SHARED: Fn::ImportValue has no local value" in w for w in app.warnings)
