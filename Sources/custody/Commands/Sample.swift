import ArgumentParser
import CustodySample

extension CustodyCommand {
  /// `custody sample --out DIR`: a realistic canonical ledger for demos, tests and benchmarks.
  struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Generate a realistic canonical ledger, optionally with one planted non-conformity.",
      discussion: """
        The same options always give byte-identical files. Plant kinds: \
        \(PlantKind.allCases.map(\.rawValue).joined(separator: ", ")).
        """)

    @Option(help: "Folder to write the CSV files to (created when absent).")
    var out: String

    @Option(help: "Number of receipts.")
    var receipts: Int = 3_000

    @Option(help: "Number of shipments.")
    var shipments: Int = 2_500

    @Option(help: "Seed of the generator.")
    var seed: UInt64 = 20_240_131

    @Option(help: "Plant one non-conformity of this kind.")
    var plant: PlantKind?

    @Flag(help: "Also write expected.yaml naming the clause and rows the plant breaks.")
    var expected = false

    func run() throws {
      let options = SampleOptions(
        outDir: out, receipts: receipts, shipments: shipments, seed: seed, plant: plant)
      let summary: SampleSummary
      do {
        summary = try SampleGenerator.generate(options)
      } catch {
        Terminal.err("error: \(error)\n")
        throw Exit.usage
      }
      if expected, let plant {
        Terminal.writeFile(
          SampleGenerator.expectedYAML(summary, plant: plant), to: out + "/expected.yaml")
      }
      var line = "wrote \(summary.totalRows) rows to \(out)"
      if let plant {
        line +=
          "; planted \(plant.rawValue) (\(plant.clause)) in \(summary.planted.prefix(10).map(\.reference).joined(separator: ", "))"
          + (summary.planted.count > 10 ? " and \(summary.planted.count - 10) more rows" : "")
      }
      Terminal.err(line + "\n")
    }
  }
}

extension PlantKind: ExpressibleByArgument {}
