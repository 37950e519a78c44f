import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Synchronization

/// Counts failed token attempts per peer address in a sliding window; a peer over the limit
/// gets 429 without its token being looked at.
final class AttemptLimiter: Sendable {
  let limit: Int
  let window: Double
  private let failures = Mutex<[String: [Double]]>([:])

  init(limit: Int, window: Double) {
    self.limit = limit
    self.window = window
  }

  /// Seconds until the peer may try again, or nil when it may try now.
  func retryAfter(_ peer: String, now: Double = Date().timeIntervalSince1970) -> Int? {
    failures.withLock { table in
      let recent = (table[peer] ?? []).filter { now - $0 < window }
      table[peer] = recent.isEmpty ? nil : recent
      guard recent.count >= limit, let oldest = recent.first else { return nil }
      return max(1, Int((window - (now - oldest)).rounded(.up)))
    }
  }

  func recordFailure(_ peer: String, now: Double = Date().timeIntervalSince1970) {
    failures.withLock { table in
      var recent = (table[peer] ?? []).filter { now - $0 < window }
      recent.append(now)
      // Bound the memory one peer can take.
      if recent.count > limit * 2 { recent.removeFirst(recent.count - limit * 2) }
      table[peer] = recent
      if table.count > 100_000 { table.removeAll() }
    }
  }
}

/// Resolves `Authorization: Bearer TOKEN` to a `Principal` (hummingbird-auth's
/// AuthenticatorMiddleware). A present but unknown, revoked or expired token is a 401 at once
/// (it never falls through to an anonymous request) and counts as a failed attempt.
struct TokenAuthenticator: AuthenticatorMiddleware {
  typealias Context = ServiceRequestContext
  let database: DatabasePool
  let limiter: AttemptLimiter

  func authenticate(request: Request, context: Context) async throws -> Principal? {
    guard request.headers[.authorization] != nil else { return nil }
    if let seconds = limiter.retryAfter(context.peer) {
      var problem = Problem(
        .tooManyRequests, code: "auth.rate-limited",
        detail: "too many failed token attempts from this address; retry in \(seconds) s")
      problem.headers[.retryAfter] = String(seconds)
      throw problem
    }
    guard let bearer = request.headers.bearer, !bearer.token.isEmpty else {
      limiter.recordFailure(context.peer)
      throw Problem(
        .unauthorized, code: "auth.invalid-token", detail: "expected Authorization: Bearer TOKEN")
    }
    let hash = Tokens.hash(bearer.token)
    let now = Clock.now()
    let principal = try await database.read { db -> Principal? in
      guard
        let row = try Row.fetchOne(
          db,
          sql: """
            SELECT token.id AS token_id, token.expires_at, token.revoked_at,
                   user.id AS user_id, user.name, user.role, user.organisation_id
            FROM token JOIN user ON user.id = token.user_id WHERE token.hash = ?
            """, arguments: [hash])
      else { return nil }
      if (row["revoked_at"] as String?) != nil { return nil }
      if let expires: String = row["expires_at"], expires <= now { return nil }
      guard let role = Principal.Role(rawValue: row["role"]) else { return nil }
      let userID: Int64 = row["user_id"]
      let assigned = try Int64.fetchSet(
        db, sql: "SELECT organisation_id FROM assignment WHERE user_id = ?", arguments: [userID])
      return Principal(
        userID: userID, name: row["name"], role: role, organisation: row["organisation_id"],
        assigned: assigned, tokenID: row["token_id"])
    }
    guard let principal else {
      limiter.recordFailure(context.peer)
      throw Problem(
        .unauthorized, code: "auth.invalid-token",
        detail: "the token is unknown, revoked or expired")
    }
    return principal
  }
}
