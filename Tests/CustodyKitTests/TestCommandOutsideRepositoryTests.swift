import Foundation
import Testing

/// `custody test FILE` run from a folder without standards/ (issue 17): whether a file is a
/// standard is read from its content, and the standards a rule file is tested through are found
/// beside it, never in the working directory. Through the real binary, from a temp directory.
@Suite struct TestCommandOutsideRepositoryTests {
  static func emptyFolder() throws -> String {
    let path = NSTemporaryDirectory() + "kit-test-outside-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    return path
  }

  /// The quarterly variant: its path says nothing of "standards" and its first line is a
  /// comment. It used to print "'standards' does not exist" and exit 1 with every case passed.
  @Test func aStandardOutsideStandardsFolders() throws {
    let cwd = try Self.emptyFolder()
    defer { try? FileManager.default.removeItem(atPath: cwd) }
    let r = try CLI.run(
      ["test", CLI.root + "/Tests/CustodyIntegrationTests/Variants/cu-again-quarterly.yaml"],
      cwd: cwd)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr == "")
    #expect(r.stdout == "\n74 passed, 0 failed\n")
  }

  /// A rule file alone, by a relative path from the temp directory: tested through the
  /// repository's standards/, found from the rule file's folder upwards.
  @Test func aRuleFileByARelativePath() throws {
    let cwd = try Self.emptyFolder()
    defer { try? FileManager.default.removeItem(atPath: cwd) }
    var relative = ""
    for _ in cwd.split(separator: "/") { relative += "../" }
    let rule = relative + String(CLI.root.dropFirst()) + "/rules/claims/claim-known.yaml"
    let r = try CLI.run(["test", rule], cwd: cwd)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr == "")
    #expect(r.stdout == "\n2 passed, 0 failed\n")
  }
}
