// An object-heavy scheduler (in the spirit of Richards and DeltaBlue, written for SDM): tasks of
// four classes in a priority list, each with a linked inbox of packets. A producer hands work
// packets to four workers as long as it has credit; a worker digests a packet, now and then
// sleeps on the timer task for a few ticks, and sends a result to the collector; the collector
// folds results into a checksum and gives the producer its credit back with an ack packet. The
// scheduler always runs the ready task of highest priority. 6,000 packets: about 20,000 task
// switches and over 25,000 objects per run.

class Packet {
  constructor(kind, sender, value) {
    this.kind = kind;
    this.sender = sender;
    this.value = value;
    this.next = null;
    this.data = kind === 'work' ? [value & 7, value & 15, value & 31, value & 63] : null;
  }
}

class Task {
  constructor(scheduler, name, priority) {
    this.scheduler = scheduler;
    this.name = name;
    this.priority = priority;
    this.head = null;
    this.tail = null;
    this.waiting = false;
    this.held = false;
    this.next = null;
    this.steps = 0;
    scheduler.add(this);
  }

  receive(packet) {
    packet.next = null;
    if (this.tail === null) {
      this.head = packet;
    } else {
      this.tail.next = packet;
    }
    this.tail = packet;
  }

  take() {
    const packet = this.head;
    if (packet !== null) {
      this.head = packet.next;
      if (this.head === null) {
        this.tail = null;
      }
      packet.next = null;
    }
    return packet;
  }

  ready() {
    return !this.held && (!this.waiting || this.head !== null);
  }
}

class Producer extends Task {
  constructor(scheduler, total, credit) {
    super(scheduler, 'producer', 10);
    this.total = total;
    this.credit = credit;
    this.initialCredit = credit;
    this.produced = 0;
    this.workers = [];
  }

  step() {
    const ack = this.take();
    if (ack !== null) {
      this.credit++;
    }
    if (this.credit > 0 && this.produced < this.total) {
      const worker = this.workers[this.produced % this.workers.length];
      this.scheduler.send(worker, new Packet('work', this, this.produced * 2654435761 >>> 0));
      this.produced++;
      this.credit--;
      this.waiting = false;
    } else if (this.produced === this.total && this.credit === this.initialCredit) {
      this.held = true; // all done
    } else {
      this.waiting = true;
    }
  }
}

class Worker extends Task {
  constructor(scheduler, index, collector, timer) {
    super(scheduler, 'worker-' + index, 20 + index);
    this.collector = collector;
    this.timer = timer;
    this.done = 0;
  }

  step() {
    const packet = this.take();
    if (packet === null) {
      this.waiting = true;
      return;
    }
    let v = packet.value;
    for (const d of packet.data) {
      v = (Math.imul(v ^ d, 0x5bd1e995) + this.priority) | 0;
    }
    this.done++;
    this.scheduler.send(this.collector, new Packet('result', this, v));
    if (this.done % 3 === 0) {
      this.timer.sleep(this, 1 + (this.done & 3));
    }
  }
}

class Collector extends Task {
  constructor(scheduler) {
    super(scheduler, 'collector', 40);
    this.sum = 0;
    this.count = 0;
    this.producer = null;
  }

  step() {
    const packet = this.take();
    if (packet === null) {
      this.waiting = true;
      return;
    }
    this.sum = (Math.imul(this.sum, 31) + packet.value) | 0;
    this.count++;
    this.scheduler.send(this.producer, new Packet('ack', this, 0));
  }
}

class Timer extends Task {
  constructor(scheduler) {
    super(scheduler, 'timer', 1);
    this.sleepers = [];
    this.ticks = 0;
    this.held = true;
  }

  sleep(task, ticks) {
    task.held = true;
    this.sleepers.push({ task, until: this.ticks + ticks });
    this.held = false;
  }

  step() {
    this.ticks++;
    const still = [];
    for (const s of this.sleepers) {
      if (s.until <= this.ticks) {
        s.task.held = false;
      } else {
        still.push(s);
      }
    }
    this.sleepers = still;
    this.held = still.length === 0;
  }
}

class Scheduler {
  constructor() {
    this.list = null;
    this.switches = 0;
  }

  add(task) {
    if (this.list === null || this.list.priority < task.priority) {
      task.next = this.list;
      this.list = task;
      return;
    }
    let t = this.list;
    while (t.next !== null && t.next.priority >= task.priority) {
      t = t.next;
    }
    task.next = t.next;
    t.next = task;
  }

  send(task, packet) {
    task.receive(packet);
  }

  run() {
    let t = this.list;
    while (t !== null) {
      if (t.ready()) {
        this.switches++;
        t.steps++;
        t.step();
        t = this.list;
      } else {
        t = t.next;
      }
    }
  }
}

function schedule(total) {
  const scheduler = new Scheduler();
  const timer = new Timer(scheduler);
  const collector = new Collector(scheduler);
  const producer = new Producer(scheduler, total, 8);
  collector.producer = producer;
  for (let i = 0; i < 4; i++) {
    producer.workers.push(new Worker(scheduler, i, collector, timer));
  }
  scheduler.run();
  if (collector.count !== total) {
    throw new Error('scheduler: ' + collector.count + ' of ' + total + ' packets collected');
  }
  return (collector.sum ^ Math.imul(scheduler.switches, 7) ^ timer.ticks) | 0;
}

const kernel = {
  name: 'scheduler',
  what: 'task scheduler, 6000 packets',
  setup() {
    return 6000;
  },
  run(total) {
    return schedule(total);
  },
};
