import Foundation

/// The JSON report (docs/report-schema.json): canonical, pretty, sorted keys, ending in a
/// newline. This is the form `custody verify` reads and the signature covers.
public struct JSONReporter: Sendable {
  public init() {}

  public func render(_ report: Report) throws -> Data {
    try CanonicalJSON.encode(report, pretty: true)
  }

  public func renderString(_ report: Report) throws -> String {
    String(decoding: try render(report), as: UTF8.self)
  }
}
