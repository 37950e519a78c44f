import Crypto
import CustodyDiagnostics
import CustodyValues
import CustodyYAML
import Dispatch

/// One compile or lint run: the file cache, the diagnostics and the stages that ran.
final class CompileSession {
  let options: CompilerOptions
  var bag = DiagnosticBag()
  var stagesRun: [CompilerStage] = []
  /// path -> parsed root (nil when unreadable or broken) and sha256 of its bytes.
  private var files: [String: (root: YAMLNode?, sha256: String)] = [:]
  /// Every file read for the current standard (for `inputs`).
  var touched: Set<String> = []

  init(options: CompilerOptions) {
    self.options = options
  }

  func stage(_ s: CompilerStage) {
    if !stagesRun.contains(s) { stagesRun.append(s) }
  }

  /// Loads and parses a file once per run; diagnostics are reported the first time.
  func load(_ path: String) -> YAMLNode? {
    touched.insert(path)
    if let cached = files[path] { return cached.root }
    let (root, sha, diagnostics) = Self.read(path, options: options)
    bag.append(contentsOf: diagnostics)
    files[path] = (root, sha)
    return root
  }

  /// Reads and parses files not yet cached on all cores (libyaml parsing dominates the
  /// compile of a large rule library); results enter the cache in path order.
  func preload(_ paths: [String]) {
    let missing = paths.filter { files[$0] == nil }
    guard missing.count > 8 else { return }
    let results = ResultBox(count: missing.count)
    let options = self.options
    DispatchQueue.concurrentPerform(iterations: missing.count) { i in
      results.set(i, Self.read(missing[i], options: options))
    }
    for (i, path) in missing.enumerated() {
      guard let (root, sha, diagnostics) = results.get(i) else { continue }
      bag.append(contentsOf: diagnostics)
      files[path] = (root, sha)
    }
  }

  static func read(_ path: String, options: CompilerOptions) -> (YAMLNode?, String, [Diagnostic]) {
    var bag = DiagnosticBag()
    let loader = YAMLLoader(limits: options.yamlLimits, sources: options.sources)
    switch FileBytes.read(path: path, limit: options.yamlLimits.maxBytes) {
    case .failure(.tooLarge(let size)):
      bag.report(
        .fileTooLarge,
        "YAML file is \(size) bytes; the limit is \(options.yamlLimits.maxBytes) bytes",
        at: .file(path))
      return (nil, "", bag.diagnostics)
    case .failure(.unreadable(let reason)):
      bag.report(.fileUnreadable, "cannot read '\(path)': \(reason)", at: .file(path))
      return (nil, "", bag.diagnostics)
    case .success(let bytes):
      let root = loader.load(bytes: bytes, path: path, into: &bag)
      return (root, sha256(bytes), bag.diagnostics)
    }
  }

  func sha(_ path: String) -> String { files[path]?.sha256 ?? "" }

  static func sha256(_ bytes: [UInt8]) -> String {
    Hex.lowercase(SHA256.hash(data: bytes))
  }

  static func sha256(_ text: String) -> String { sha256(Array(text.utf8)) }

  /// The first key of a file's root mapping (`standard`, `rule`, `book`, `schema`, `profile`).
  func kind(of root: YAMLNode, path: String) -> String? {
    guard let first = root.mapping?.pairs.first?.key.value else {
      bag.report(
        .unknownFileKind,
        "'\(path)' must hold a mapping whose first key says what it is (standard, rule, book, schema)",
        at: root.span)
      return nil
    }
    return first
  }

  // MARK: - Library

  struct Library {
    var rules: [String: RuleDecl] = [:]
    var books: [String: BookDecl] = [:]
    var ruleFiles: [String] = []
  }

  /// Loads rules and books from files and folders, reporting duplicates and unknown kinds.
  func library(paths: [(path: String, span: SourceSpan?)]) -> Library {
    var lib = Library()
    for (path, span) in paths {
      if !Paths.isDirectory(path) && !Paths.isFile(path) {
        bag.report(.fileNotFound, "rules path '\(path)' does not exist", at: span)
        continue
      }
      let walk = Paths.walkYAML(under: path)
      for d in walk.diagnostics { bag.report(d) }
      let files = walk.files
      preload(files)
      for file in files { add(file: file, to: &lib) }
    }
    return lib
  }

  func add(file: String, to lib: inout Library) {
    guard let root = load(file), let kind = kind(of: root, path: file) else { return }
    stage(.lower)
    switch kind {
    case "rule":
      guard let rule = RuleLowering.rule(root, file: file, bag: &bag) else { return }
      if let first = lib.rules[rule.id] {
        if first.file != file {
          bag.report(
            .duplicateID, "rule '\(rule.id)' is defined twice", at: rule.idSpan,
            notes: [DiagnosticNote("first defined here", at: first.idSpan)])
        }
        return
      }
      lib.rules[rule.id] = rule
      lib.ruleFiles.append(file)
    case "book":
      guard let book = RuleLowering.book(root, file: file, bag: &bag) else { return }
      if let first = lib.books[book.id], first.file != file {
        bag.report(
          .duplicateID, "book '\(book.id)' is defined twice", at: book.span,
          notes: [DiagnosticNote("first defined here", at: first.span)])
        return
      }
      lib.books[book.id] = book
    case "schema", "profile", "standard": return
    default:
      let key = root.mapping?.pairs.first?.key
      bag.report(
        .unknownFileKind, "'\(kind)' is not a custody file kind", at: key?.span ?? root.span,
        suggestions: Suggestions.closest(
          to: kind, in: ["standard", "rule", "book", "schema", "profile"]))
    }
  }
}

/// Slots for results computed concurrently, guarded by a lock.
private final class ResultBox: Sendable {
  private let slots: Locked<[(YAMLNode?, String, [Diagnostic])?]>
  init(count: Int) { slots = Locked(Array(repeating: nil, count: count)) }
  func set(_ i: Int, _ value: (YAMLNode?, String, [Diagnostic])) {
    slots.withLock { $0[i] = value }
  }
  func get(_ i: Int) -> (YAMLNode?, String, [Diagnostic])? { slots.withLock { $0[i] } }
}
