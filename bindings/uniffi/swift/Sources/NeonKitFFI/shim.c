// The symbols are in libneonkit_uniffi (linked by Package.swift); SwiftPM needs one C file here.
