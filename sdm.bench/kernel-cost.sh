#!/usr/bin/env bash
# Measures the kernel's cost: master RSS with 0, 1 and 20 JS programs, and sdm:start to the first line logged.
set -u
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
B="$root/bin/sdm"
W="$(mktemp -d)"; trap 'rm -rf "$W"' EXIT; cd "$W"
$B master --no-console --bind 127.0.0.1:0 --data master > master.out 2>&1 &
MPID=$!
for i in $(seq 100); do [ -f master/master.endpoint ] && break; sleep 0.2; done
sleep 6
jpid=$MPID   # bin/sdm execs java
rss() { awk '/VmRSS/ {print int($2/1024)}' /proc/$jpid/status; }
echo "rss_0 $(rss) MB"
for n in $(seq 1 20); do
  mkdir -p p$n/js
  printf '{"name":"ticker-%s","version":"1.0.0","master":{"main":"js/main.js"}}\n' $n > p$n/MANIFEST.json
  printf "console.log('ticker-%s started');\nlet n = 0;\nsdm.every(1000, () => { n++; });\n" $n > p$n/js/main.js
  $B pack p$n -o ticker-$n.jam.zip > /dev/null
done
T0=$(date -u +%H:%M:%S.%3N)
$B client --data master sdm:install --start ticker-1.jam.zip > /dev/null
echo "$T0" > cold.txt
sleep 5; echo "rss_1 $(rss) MB"
for n in $(seq 2 20); do $B client --data master sdm:install --start ticker-$n.jam.zip > /dev/null; done
sleep 8; echo "rss_20 $(rss) MB"
for k in 1 2 3 4 5; do
  $B client --data master sdm:stop ticker-1 > /dev/null
  date -u +%H:%M:%S.%3N >> issued.txt
  $B client --data master sdm:start ticker-1 > /dev/null
  sleep 1
done
grep "ticker-1 desired active" master.out | tail -5 | awk '{print $2}' > starts.txt
$B client --data master sdm:log --lines 1000 ticker-1 | grep "ticker-1 started" | tail -5 | awk '{print $2}' > firsts.txt
paste issued.txt firsts.txt | python3 -c '
import sys
def ms(t):
    h,m,s=t.split(":"); return (int(h)*3600+int(m)*60+float(s))*1000
v=sorted(ms(b)-ms(a) for a,b in (l.split() for l in sys.stdin))
print("command_to_first_line_ms (client JVM included)", [round(x) for x in v], "median", round(v[len(v)//2]))'
paste starts.txt firsts.txt | python3 -c '
import sys
def ms(t):
    h,m,s=t.split(":"); return (int(h)*3600+int(m)*60+float(s))*1000
v=sorted(ms(b)-ms(a) for a,b in (l.split() for l in sys.stdin))
print("start_to_first_line_ms", [round(x) for x in v], "median", round(v[len(v)//2]))'
echo "cold: command issued $(cat cold.txt), first line $($B client --data master sdm:log --lines 1000 ticker-1 | grep started | head -1 | awk '{print $2}')"
kill $MPID; wait $MPID 2>/dev/null
