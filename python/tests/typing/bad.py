"""Mistakes the type checkers must catch: tests/test_typing.py runs `mypy --strict` and pyright on this file and
asserts that each line after an `# error on the next line:` comment has exactly the errors it names (mypy's code,
pyright's rule), and that no other line has any."""

from neonkit import NeonClient, models
from neonkit.models import Branch, CreateProjectBranchRequestDict, EndpointType

# error on the next line: mypy=attr-defined pyright=reportAttributeAccessIssue
from neonkit.models import Brnch


def mistakes(neon: NeonClient, branch: Branch) -> None:
    # error on the next line: mypy=attr-defined pyright=reportAttributeAccessIssue
    print(branch.nmae)
    # error on the next line: mypy=attr-defined pyright=reportAttributeAccessIssue
    branch.nmae = "x"
    # error on the next line: mypy=attr-defined pyright=reportAttributeAccessIssue
    print(neon.branches.get("p", "b").branch.curent_state)
    # error on the next line: mypy=typeddict-item pyright=reportAssignmentType
    body: CreateProjectBranchRequestDict = {"endpoints": [{"type": "read-write"}]}
    # error on the next line: mypy=typeddict-item pyright=reportArgumentType
    neon.branches.create("p", endpoints=[{"type": "read-write"}])
    # error on the next line: mypy=call-overload pyright=reportArgumentType
    neon.branches.create("p", branch={"name": 1})
    # error on the next line: mypy=call-overload pyright=reportArgumentType
    neon.endpoints.create("p", endpoint={"branch_id": "b", "type": "readwrite"})
    # error on the next line: mypy=arg-type pyright=reportArgumentType
    neon.branches.list("p", sort_by="size")
    # error on the next line: mypy=arg-type pyright=reportArgumentType
    neon.projects.list(limit="10")
    # error on the next line: mypy=assignment pyright=reportAssignmentType
    when: str = branch.created_at
    # error on the next line: mypy=assignment pyright=reportAssignmentType
    kind: EndpointType = "read_write"
    # error on the next line: mypy=arg-type pyright=reportArgumentType
    neon.projects.get(123)
    # error on the next line: mypy=call-overload pyright=reportCallIssue
    neon.branches.create("p", body=body, branch={"name": "x"})
    # error on the next line: mypy=call-overload pyright=reportCallIssue
    neon.projects.create()
    # error on the next line: mypy=attr-defined pyright=reportAttributeAccessIssue
    print(branch.to_jsn())
    # error on the next line: mypy=attr-defined pyright=reportAttributeAccessIssue
    print(models.BranchDcit)
    # error on the next line: mypy=attr-defined pyright=reportAttributeAccessIssue
    neon.projcts.list()
    # error on the next line: mypy=attr-defined pyright=reportAttributeAccessIssue
    print(neon.projects.list().projects[0].nme)
    print(when, kind, Brnch)
