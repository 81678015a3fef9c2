#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "sdm.h"

static const sdm_js_api *_Atomic js;
static pthread_t threads[64];
static int started;
static atomic_int finished, ok, failed, last_rc, max_ms;
static char last_out[512];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct { char function[64]; char args[256]; char gate[256]; int timeout, times, ttl, post, cap, seq; } job;

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000;
}

static void join_all(void) {
    for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
    started = 0;
}

/* NULL comes before the library is unloaded: its threads must be gone by then */
void sdm_set_js(const sdm_js_api *api) {
    js = api;
    if (api == NULL) join_all();
}

static void *worker(void *unused) {
    (void) unused;
    /* a job with a gate waits for that file: the test makes it once the master is frozen */
    for (int i = 0; job.gate[0] && access(job.gate, F_OK) != 0 && i < 3000; i++) usleep(10000);
    for (int i = 0; i < job.times; i++) {
        char out[512] = "", args[300];
        const sdm_js_api *api = js;
        long t0 = now_ms();
        int rc;
        if (api == NULL) {
            rc = -100;
        } else if (job.post) {
            snprintf(args, sizeof args, job.args, atomic_fetch_add(&job.seq, 1));
            rc = api->post(job.function, args, job.ttl);
        } else {
            rc = api->call(job.function, job.args, out, job.cap, job.timeout);
        }
        int took = (int) (now_ms() - t0);
        if (took > max_ms) max_ms = took;
        if (rc == 0) ok++; else failed++;
        pthread_mutex_lock(&lock);
        last_rc = rc;
        snprintf(last_out, sizeof last_out, "%s", out);
        pthread_mutex_unlock(&lock);
    }
    finished++;
    return NULL;
}

static int start(const char *function, const char *args, int timeout, int threads_, int times, int post,
        int ttl, const char *gate, int cap) {
    join_all();
    snprintf(job.function, sizeof job.function, "%s", function);
    snprintf(job.args, sizeof job.args, "%s", args);
    snprintf(job.gate, sizeof job.gate, "%s", strcmp(gate, "none") == 0 ? "" : gate);
    job.timeout = timeout; job.times = times; job.post = post; job.ttl = ttl;
    job.cap = cap; job.seq = 0;
    finished = 0; ok = 0; failed = 0; last_rc = 0; max_ms = 0; last_out[0] = 0;
    for (int i = 0; i < threads_ && i < 64; i++) {
        pthread_create(&threads[i], NULL, worker, NULL);
        started++;
    }
    return started;
}

int calls(const char *function, const char *args, int timeout, int threads_, int times, int cap) {
    return start(function, args, timeout, threads_, times, 0, 0, "", cap);
}

/* as calls, once the file gate exists */
int gated_calls(const char *gate, const char *function, const char *args, int timeout, int threads_,
        int times) {
    return start(function, args, timeout, threads_, times, 0, 0, gate, 512);
}

/* args holds one %d: each post gets the next number; with a gate (not "none"), once that file exists */
int posts(const char *function, const char *args, int ttl, int times, const char *gate) {
    return start(function, args, 0, 1, times, 1, ttl, gate, 0);
}

/* "running", or "done ok=N failed=N rc=N max=MS out=TEXT" */
const char *report(void) {
    static char text[700];
    if (finished < started) return "running";
    pthread_mutex_lock(&lock);
    snprintf(text, sizeof text, "done ok=%d failed=%d rc=%d max=%d out=%s", ok, failed, last_rc, max_ms,
            last_out);
    pthread_mutex_unlock(&lock);
    return text;
}

/* a call on the thread SDM runs this function on */
int call_here(void) {
    char out[64];
    return js->call("echoInt", "[1]", out, sizeof out, 1000);
}
