import ArgumentParser

/// `--format table|json|csv`.
struct FormatOption: ParsableArguments {
    @Option(help: ArgumentHelp("Output format: table (default), json or csv.", valueName: "format"))
    var format: OutputFormat?
}
