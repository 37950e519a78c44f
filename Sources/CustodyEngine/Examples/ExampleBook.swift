import CustodyLanguage
import CustodyValues

/// The Cu-again credit book over the example ledger: receipts in PCL and MR create
/// `cu_t x factor` credits in (site, pool, partner); MR100/mb shipments debit (site, MR, null),
/// PCL100/mb shipments debit (site, PCL, partner); transfers move credits between sites.
public enum ExampleBook {
  public static func book(
    lifetimeMonths: Int? = nil, sameDay: CompiledBook.SameDay = .creditsFirst,
    conversionFactors: Bool = false, excludeFailing: [String] = [], percentage: Bool = false
  ) -> CompiledBook {
    let schema = ExampleLedger.schema
    let r = ExprBuilder(schema: schema, table: "receipts")
    let s = ExprBuilder(schema: schema, table: "shipments")
    let t = ExprBuilder(schema: schema, table: "transfers")
    let o = ExprBuilder(schema: schema, table: "opening_balances")
    let out = ExprBuilder(schema: schema, table: "outputs")
    let amount =
      conversionFactors
      ? r.bin(
        .multiply, r.col("cu_t"),
        r.member(r.lookup("conversion_factors", [r.col("site")], at: r.col("date")), "factor"))
      : r.col("cu_t")
    let credit = CompiledBook.Source(
      table: "receipts", filter: r.bin(.in, r.col("pool"), r.strings(["PCL", "MR"])),
      date: r.col("date"), account: [r.col("site"), r.col("pool"), r.col("partner")],
      amount: amount, excludeFailing: excludeFailing, label: "receipt")
    let mr = CompiledBook.Source(
      table: "shipments", filter: s.bin(.equal, s.col("claim"), s.str("MR100/mb")),
      date: s.col("date"), account: [s.col("site"), s.str("MR"), s.null()], amount: s.col("cu_t"),
      label: "MR100/mb shipment")
    let pcl = CompiledBook.Source(
      table: "shipments", filter: s.bin(.equal, s.col("claim"), s.str("PCL100/mb")),
      date: s.col("date"), account: [s.col("site"), s.str("PCL"), s.col("partner")],
      amount: s.col("cu_t"), label: "PCL100/mb shipment")
    let transfer = CompiledBook.Transfer(
      table: "transfers", filter: nil, date: t.col("date"),
      from: [t.col("from_site"), t.col("pool"), t.col("partner")],
      to: [t.col("to_site"), t.col("pool"), t.col("partner")], amount: t.col("cu_t"))
    let opening = CompiledBook.Source(
      table: "opening_balances", filter: nil, date: o.col("date"),
      account: [o.col("site"), o.col("pool"), o.col("partner")], amount: o.col("cu_t"),
      label: "opening balance")
    if percentage {
      // Accounts per site: all receipts are inputs, all outputs are output, claims debit.
      let credited = CompiledBook.Source(
        table: "receipts",
        filter: r.bin(.in, r.col("origin"), r.strings(["post_consumer", "pre_consumer"])),
        date: r.col("date"), account: [r.col("site")], amount: r.col("cu_t"),
        label: "recycled input")
      let inputs = CompiledBook.Source(
        table: "receipts", filter: nil, date: r.col("date"), account: [r.col("site")],
        amount: r.col("cu_t"), label: "input")
      let outputs = CompiledBook.Source(
        table: "outputs", filter: nil, date: out.col("date"), account: [out.col("site")],
        amount: out.col("cu_t"), label: "output")
      let claims = CompiledBook.Source(
        table: "shipments", filter: s.bin(.notEqual, s.col("claim"), s.null()), date: s.col("date"),
        account: [s.col("site")], amount: s.col("cu_t"), label: "claimed shipment")
      return CompiledBook(
        id: "example-percentage", title: "Percentage", accountKey: ["site"], credits: [credited],
        debits: [claims], transfers: [], opening: nil, sameDay: sameDay, lifetimeMonths: nil,
        inputTotals: [inputs], outputTotals: [outputs], span: nil)
    }
    return CompiledBook(
      id: "example-credits", title: "Example credits", accountKey: ["site", "pool", "partner"],
      credits: [credit], debits: [mr, pcl], transfers: [transfer], opening: opening,
      sameDay: sameDay, lifetimeMonths: lifetimeMonths, span: nil)
  }

  /// Periods by site, for period_end and percentage modes.
  public static let periods: PeriodSource = {
    let b = ExprBuilder(schema: ExampleLedger.schema, table: "periods")
    return PeriodSource(
      table: "periods", group: b.index("site"), id: b.index("period_id"), start: b.index("start"),
      end: b.index("end"))
  }()

  public static func check(
    _ mode: MassBalanceMode, book: CompiledBook = book(), periods: Bool = false,
    tolerance: String = "0"
  ) -> CheckSpec {
    .massBalance(
      MassBalanceSpec(
        book: book, mode: mode, periods: periods ? ExampleBook.periods : nil,
        tolerance: ExactDecimal(tolerance) ?? .zero))
  }
}
