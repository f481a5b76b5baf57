"""The command line as a package: main builds the parser; each module registers its commands."""
