export const taskgraph = { project: "python-taskgraph", name: "taskgraph", faults: [] };
