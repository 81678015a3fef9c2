/*
 * sdm.h: what a program's C code may call in SDM (docs/contract.md, "C calls JavaScript").
 *
 * A program's library may define either hook below; the slave calls it when it loads the
 * library (with the table) and before it unloads it (with NULL). Keep the pointer you are
 * given and stop using it once you are given NULL: a call through a table of an unloaded
 * program lands in a stub that refuses it (SDM_ESTOPPED), never in freed memory.
 *
 * Build with: gcc -shared -fPIC -I "$(bin/sdm include)" ...
 */
#ifndef SDM_H
#define SDM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes: every function of the table returns SDM_OK or one of these. */
#define SDM_OK           0
#define SDM_ENOTCONN    -1  /* the master is not connected: call refuses at once; post with ttl_ms 0 too */
#define SDM_ETIMEDOUT   -2  /* call: no answer within timeout_ms */
#define SDM_ENOEXPORT   -3  /* function is not one of this program's master.exports */
#define SDM_EARGS       -4  /* args_json is not a JSON array of the export's parameter types */
#define SDM_ENOTRUNNING -5  /* the program's JavaScript is not running, or has not called sdm.export(function) */
#define SDM_EFAILED     -6  /* the export threw, or returned a value that is not of its declared type */
#define SDM_ETOOBIG     -7  /* call: the result does not fit in cap bytes (out holds nothing usable) */
#define SDM_ESTOPPED    -8  /* the program is stopping or stopped on this node */
#define SDM_ETHREAD     -9  /* call: made on a thread of SDM's (inside a function SDM called); use post, or a thread of your own */
#define SDM_EINVAL     -10  /* a NULL function or args_json, a cap of 0, or a timeout or ttl out of range */

typedef struct {
  int version;  /* 1 */
  /*
   * Calls the program's exported JS function with the arguments in args_json (a JSON array,
   * e.g. "[1, \"a\"]") and blocks this C thread, and only this one, until it answers or
   * timeout_ms (1 to 86,400,000) passes. Returns SDM_OK with the JSON of the result in out
   * (NUL-terminated, at most cap bytes with the NUL; "null" for void), or an error code with
   * its reason in out, cut to cap.
   */
  int (*call)(const char *function, const char *args_json, char *out, size_t cap, int timeout_ms);
  /*
   * Queues a call nobody waits for and returns at once: SDM_OK once queued. It is delivered
   * in order, once, while it is younger than ttl_ms (1 to 86,400,000), after a reconnection
   * if need be; ttl_ms 0 means only if the master is connected now (SDM_ENOTCONN otherwise),
   * within 10 s. The queue holds 10,000 posts: past that the oldest is dropped and counted.
   */
  int (*post)(const char *function, const char *args_json, int ttl_ms);
} sdm_js_api;

/* Define this in your library to call JavaScript; the pointer is NULL before the library is unloaded. */
void sdm_set_js(const sdm_js_api *api);

/* Define this in your library to log into sdm:log NAME; level 0 is a log line, anything else an error. */
void sdm_set_logger(void (*log)(int level, const char *line));

#ifdef __cplusplus
}
#endif

#endif /* SDM_H */
