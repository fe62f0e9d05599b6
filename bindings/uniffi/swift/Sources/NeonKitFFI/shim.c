// SwiftPM needs one C source in a C target; the symbols come from libneonkit_uniffi (linked in Package.swift).
