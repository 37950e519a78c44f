import CustodyDiagnostics
import CustodyValues
import CustodyYAML

extension CheckCompiler {
  static let sourceKeys = [
    "table", "label", "where", "exclude_failing", "unless_failing", "date", "account", "amount",
    "copper", "factor",
  ]
  static let transferKeys = [
    "table", "label", "where", "unless_failing", "date", "from", "to", "amount",
  ]
  /// The longest credit lifetime (100 years): longer is a typo, and far beyond it the expiry
  /// date leaves the calendar (years 1-9999).
  static let maxLifetimeMonths = 1200

  /// Compiles a book's sources with its bound parameters.
  mutating func compileBook(_ book: BookDecl, parameters: [String: ExpressionEnvironment.Parameter])
    -> CompiledBook?
  {
    var sub = CheckCompiler(schema: schema, parameters: parameters, books: books, limits: limits)
    let before = bag.errorCount
    let credits = book.credits.compactMap {
      sub.source($0, accountSize: book.account.count, what: "credit")
    }
    let debits = book.debits.compactMap {
      sub.source($0, accountSize: book.account.count, what: "debit")
    }
    let inputs = book.inputTotals.compactMap {
      sub.source($0, accountSize: nil, what: "input total")
    }
    let outputs = book.outputTotals.compactMap {
      sub.source($0, accountSize: nil, what: "output total")
    }
    let opening = book.opening.flatMap {
      sub.source($0, accountSize: book.account.count, what: "opening")
    }
    let transfers = book.transfers.compactMap { sub.transfer($0, accountSize: book.account.count) }
    // `lifetime_months`: 1...maxLifetimeMonths, or `none` written out for credits that never
    // expire. A null (a `~` default, an unbound optional) is an error: it silently switched
    // expiry off, and a huge value overflowed the date arithmetic (issue 22, items 6 and 8).
    var lifetime: Int?
    if let s = book.lifetime {
      func checked(_ i: Int64, _ what: String) {
        if (1...Int64(Self.maxLifetimeMonths)).contains(i) {
          lifetime = Int(i)
        } else {
          sub.bag.report(
            .invalidValue,
            "`lifetime_months` of book '\(book.id)' is \(i)\(what); it must be 1 to \(Self.maxLifetimeMonths) months, or `none`",
            at: s.span)
        }
      }
      if s.value.hasPrefix("$") {
        switch parameters[String(s.value.dropFirst())]?.value {
        case .integer(let i)?: checked(i, " (from \(s.value))")
        case .null?:
          sub.bag.report(
            .invalidValue,
            "`lifetime_months` of book '\(book.id)' is null (from \(s.value)); write `lifetime_months: none` in the book for credits that never expire",
            at: s.span)
        default:
          sub.bag.report(
            .unknownParameter, "'\(s.value)' is not an integer parameter of book '\(book.id)'",
            at: s.span)
        }
      } else if s.value == "none" && s.style == .plain {
        lifetime = nil
      } else if s.style == .plain, let i = Int64(s.value) {
        checked(i, "")
      } else {
        sub.bag.report(
          .wrongValueType,
          "`lifetime_months` must be a whole number, a $parameter or `none`", at: s.span)
      }
    }
    bag.append(contentsOf: sub.bag.diagnostics)
    excludeFailing += sub.excludeFailing
    prerequisites += sub.prerequisites
    guard bag.errorCount == before else { return nil }
    return CompiledBook(
      id: book.id, title: book.title, accountKey: book.account, credits: credits, debits: debits,
      transfers: transfers, opening: opening, sameDay: book.sameDay, lifetimeMonths: lifetime,
      inputTotals: inputs, outputTotals: outputs, span: book.span)
  }

  mutating func accountExprs(
    _ r: MappingReader, _ key: String, _ e: ExpressionEnvironment, size: Int?
  ) -> [ExprNode]? {
    guard let items = r.scalars(key, bag: &bag) else { return size == nil ? [] : nil }
    if let size, items.count != size {
      bag.report(
        .wrongValueType,
        "`\(key)` gives \(items.count) account component(s); the book's account has \(size)",
        at: r[key]?.span)
      return nil
    }
    var out: [ExprNode] = []
    for s in items {
      guard let n = ExpressionCompiler.compileListItem(s, in: e, bag: &bag) else { return nil }
      out.append(n)
    }
    return out
  }

  mutating func dateAndAmount(_ r: MappingReader, _ e: ExpressionEnvironment) -> (
    ExprNode, ExprNode
  )? {
    guard let d = expr(r["date"], e, what: "date"), let a = expr(r["amount"], e, what: "amount")
    else { return nil }
    if d.type != .date {
      bag.report(
        .typeMismatch, "`date` must be a date, but '\(d.text)' is \(TypeRules.describe(d.type))",
        at: d.span)
      return nil
    }
    if !a.type.isNumeric {
      bag.report(
        .typeMismatch,
        "`amount` must be a number, but '\(a.text)' is \(TypeRules.describe(a.type))", at: a.span)
      return nil
    }
    return (d, a)
  }

  mutating func source(_ node: YAMLNode, accountSize: Int?, what: String) -> CompiledBook.Source? {
    let required =
      accountSize == nil ? ["table", "date", "amount"] : ["table", "date", "account", "amount"]
    guard
      let r = MappingReader.open(
        node, what: "\(what) source", allowed: Self.sourceKeys, required: required, bag: &bag),
      let t = table(r)
    else { return nil }
    let e = env(t)
    let filter = condition(r, "where", e)
    let excluded = r.scalars("exclude_failing", bag: &bag) ?? []
    let unless = r.scalars("unless_failing", bag: &bag) ?? []
    excludeFailing += excluded
    prerequisites += unless
    guard let (date, amount) = dateAndAmount(r, e),
      let account = accountExprs(r, "account", e, size: accountSize)
    else { return nil }
    // The statement's view of a credit: optional, numeric when given.
    var extra: [ExprNode?] = []
    for key in ["copper", "factor"] {
      guard let node = r[key] else {
        extra.append(nil)
        continue
      }
      guard let x = expr(node, e, what: key) else { return nil }
      if !x.type.isNumeric {
        bag.report(
          .typeMismatch,
          "`\(key)` must be a number, but '\(x.text)' is \(TypeRules.describe(x.type))",
          at: x.span)
        return nil
      }
      extra.append(x)
    }
    return CompiledBook.Source(
      table: t.name, filter: filter, date: date, account: account, amount: amount,
      excludeFailing: excluded.map(\.value), unlessFailing: unless.map(\.value),
      label: r.string("label", bag: &bag) ?? t.name, copper: extra[0], factor: extra[1])
  }

  mutating func transfer(_ node: YAMLNode, accountSize: Int) -> CompiledBook.Transfer? {
    guard
      let r = MappingReader.open(
        node, what: "transfer source", allowed: Self.transferKeys,
        required: ["table", "date", "from", "to", "amount"], bag: &bag),
      let t = table(r)
    else { return nil }
    let e = env(t)
    let filter = condition(r, "where", e)
    let unless = r.scalars("unless_failing", bag: &bag) ?? []
    prerequisites += unless
    guard let (date, amount) = dateAndAmount(r, e),
      let from = accountExprs(r, "from", e, size: accountSize),
      let to = accountExprs(r, "to", e, size: accountSize)
    else { return nil }
    return CompiledBook.Transfer(
      table: t.name, filter: filter, date: date, from: from, to: to, amount: amount,
      unlessFailing: unless.map(\.value))
  }
}
