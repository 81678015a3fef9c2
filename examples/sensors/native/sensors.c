/*
 * The C part of sensors: each slave samples a (simulated) sensor ten times a second and posts
 * every reading above its threshold to the program's JavaScript on the master, through the
 * table SDM hands to sdm_set_js. Once at start it asks the master, synchronously, for the
 * sensor's calibration offset. The master calls set_threshold() back to tune how much it hears.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "sdm.h"

static const sdm_js_api *js;
static pthread_t sampler;
static atomic_int running;
static _Atomic double threshold = 20.0;
static atomic_long posts;
static char sensor[64];

static void (*log_line)(int level, const char *line);

void sdm_set_logger(void (*log)(int level, const char *line)) {
    log_line = log;
}

static void say(const char *line) {
    if (log_line != NULL) {
        log_line(0, line);
    }
}

/* A slow wave with some noise, different on every slave (seeded by the process id). */
static double sample(double t, double phase) {
    return 20.0 + 5.0 * sin(t / 5.0 + phase) + (rand() % 100) / 100.0;
}

static void *run(void *unused) {
    (void) unused;
    double phase = (getpid() % 628) / 100.0;
    double offset = 0.0;
    char out[64], args[128], line[160];
    /* a synchronous call: this thread waits for the master's answer, at most 2 s; the program's
       JavaScript may start after its C code, or the master be away: ask again for a while */
    snprintf(args, sizeof args, "[\"%s\"]", sensor);
    int rc = js->call("calibrate", args, out, sizeof out, 2000);
    for (int tries = 1; rc != SDM_OK && tries < 20 && atomic_load(&running); tries++) {
        sleep(1);
        rc = js->call("calibrate", args, out, sizeof out, 2000);
    }
    if (rc == SDM_OK) {
        offset = atof(out);
    }
    if (rc == SDM_OK) {
        snprintf(line, sizeof line, "sensor %s: calibration offset %s", sensor, out);
    } else {
        snprintf(line, sizeof line, "sensor %s: no calibration (%d: %s)", sensor, rc, out);
    }
    say(line);
    for (double t = 0; atomic_load(&running); t += 0.1) {
        double value = sample(t, phase) + offset;
        if (value > atomic_load(&threshold)) {
            snprintf(args, sizeof args, "[\"%s\", %.3f]", sensor, value);
            /* fire and forget: queued while the master is away, worth delivering for 5 s */
            if (js->post("reading", args, 5000) == SDM_OK) {
                atomic_fetch_add(&posts, 1);
            }
        }
        struct timespec tick = {0, 100 * 1000 * 1000};
        nanosleep(&tick, NULL);
    }
    return NULL;
}

/* Given the table when the program starts on this slave, NULL before it is unloaded. */
void sdm_set_js(const sdm_js_api *api) {
    if (api != NULL) {
        js = api;
        char host[32] = "";
        gethostname(host, sizeof host - 1);
        snprintf(sensor, sizeof sensor, "%s-%d", host, (int) getpid());
        atomic_store(&running, 1);
        pthread_create(&sampler, NULL, run, NULL);
    } else if (atomic_load(&running)) {
        /* the library is unloaded right after this returns: stop and join the thread first */
        atomic_store(&running, 0);
        pthread_join(sampler, NULL);
        js = NULL;
    }
}

/* Called by the master's JavaScript: sets the threshold, returns the one before. */
double set_threshold(double value) {
    return atomic_exchange(&threshold, value);
}

/* How many readings this slave has posted since it started the program. */
long posted(void) {
    return atomic_load(&posts);
}
