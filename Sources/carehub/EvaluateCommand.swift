import ArgumentParser
import CareHubCore
import CareHubService
import Foundation

struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure false alarms and how fast simulated collapses are found, fixed and learned rules side by side.",
        discussion: """
            Replays a recording in memory twice for each home and mode: once as it is, counting the urgent incidents
            raised after the home's routine was learned (a recording without a real emergency makes each one false);
            and cut off at --collapses moments drawn with --seed from the daytime minutes (08:00-20:00, or
            --cut-hours) when the resident is at home, after which only heartbeats and gateway statuses go on (made for recordings that have
            none), timing the first urgent incident. Nothing is written.

            Example:
              carehub evaluate --input-format homeassist --mapping deploy/mappings/homeassist-home1.yaml \\
                --input home1.csv --collapses 50 --seed 1
              carehub evaluate --input-format casas --input hh110/data --collapses 50 --seed 1

            Without --mapping, a recording is read by its own fields: a CASAS one's motion and door sensors by their
            type column (or their ids, M and D) and rooms by their location words, in America/Los_Angeles time; a
            HomeAssist one by its platform's sensor names (MotionD_K, ContactS_E, EMeter_L), in Europe/Paris time.
            --timezone says otherwise; the home is named after the file (--home to choose). Sensors of other kinds are
            skipped and listed on stderr.
            """
    )

    @OptionGroup var recording: RecordingOptions
    @Option(help: "Simulated collapses per home.") var collapses = 50
    @Option(help: "Random seed for the collapse times.") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Local hours the collapses are drawn from, as HH:MM-HH:MM (may wrap midnight).", valueName: "window"))
    var cutHours = "08:00-20:00"
    @OptionGroup var output: FormatOption

    func validate() throws {
        guard collapses >= 0 else { throw ValidationError("--collapses must be 0 or more.") }
        guard cutWindow != nil else { throw ValidationError("--cut-hours must be two local times, HH:MM-HH:MM, such as 00:00-06:00.") }
    }

    func run() async throws {
        let (configuration, loaded) = try recording.load()
        if !loaded.unmapped.isEmpty {
            say("skipped the lines of sensors it does not read: \(ReplayInput.Loaded.listing(loaded.unmapped)).")
        }
        if let unreadable = loaded.unreadable.sentence { say(unreadable) }
        var evaluator = Evaluator(settings: configuration.rules, collapses: collapses, seed: seed)
        if let cutWindow { evaluator.daytime = cutWindow }
        var refused = EvaluationRefusals()
        let results = try evaluator.evaluate(loaded.lines, refused: &refused)
        if let refusals = refused.sentence { say(refusals) }
        EvaluationReport(results: results).print(format: output.format ?? .table)
        for home in Set(results.filter { $0.learnedAt == nil }.map(\.home)).sorted() {
            let days = configuration.rules.settings(for: home).learningDays
            say("\(home) was never learned (it needs \(days) days of its own activity), so nothing was counted for it.")
        }
    }

    /// What the evaluation has to say about its input, on stderr, so that the table or JSON on stdout stays whole.
    private func say(_ sentence: String) {
        FileHandle.standardError.write(Data("carehub: \(sentence)\n".utf8))
    }

    /// `--cut-hours` read, or nil when it is not two times.
    private var cutWindow: LocalWindow? { LocalWindow.parse(cutHours) }
}
