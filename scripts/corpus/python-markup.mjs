export const markup = { project: "python-markup", name: "markup", faults: [] };
