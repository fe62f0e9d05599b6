"""Parses every Swift file of the package with tree-sitter's Swift grammar and fails on
any error or missing node: no Swift toolchain exists on these machines, so this is the
check that the generated and hand-written Swift is at least well formed (it is not
compiled). The grammar rejects `#if` around an attribute, which uniffi emits as
`#if swift(>=5.8)` / `@_documentation(visibility: private)` / `#endif`: exactly that
triple is stripped first. It also reads the closure `{ () }` (a body that is the empty
tuple), which uniffi emits as `let writeReturn = { () }` for a foreign trait method that
returns nothing (NeonEventListener.onEvent), as a function type: exactly that line is
checked as the same closure written `{ return }`."""

import sys
import pathlib
import re
import tree_sitter
import tree_sitter_swift

lang = tree_sitter.Language(tree_sitter_swift.language())
parser = tree_sitter.Parser(lang)
TRIPLE = re.compile(r"^[ \t]*#if swift\(>=5\.8\)\n[ \t]*@_documentation\(visibility: private\)\n[ \t]*#endif\n", re.M)
VOID_CLOSURE = re.compile(r"^([ \t]*let writeReturn = )\{ \(\) \}$", re.M)
bad = 0
files = sorted(pathlib.Path(sys.argv[1]).rglob("*.swift"))
for f in files:
    text = VOID_CLOSURE.sub(r"\1{ return }", TRIPLE.sub("", f.read_text()))
    tree = parser.parse(text.encode())
    errs = []

    def walk(n):
        if n.is_error or n.is_missing:
            errs.append(n)
            return
        for c in n.children:
            walk(c)

    walk(tree.root_node)
    if errs:
        bad += 1
        for e in errs[:3]:
            print(f"{f}:{e.start_point[0]+1}:{e.start_point[1]+1}: {'missing' if e.is_missing else 'error'} {e.type}")
print(f"swift parse: {len(files)} files, {bad} with errors")
sys.exit(1 if bad else 0)
