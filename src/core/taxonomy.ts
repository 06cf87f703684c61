/**
 * arXiv's category taxonomy: codes and their names. Used to show names next to codes and to read sources
 * (OAI-PMH Dublin Core) that name categories in words, e.g. "Computer Science - Machine Learning".
 */
type Archive = { name: string; categories: Record<string, string> };

// prettier-ignore
const ARCHIVES: Record<string, Archive> = {
  cs: {
    name: 'Computer Science',
    categories: {
      AI: 'Artificial Intelligence', AR: 'Hardware Architecture', CC: 'Computational Complexity',
      CE: 'Computational Engineering, Finance, and Science', CG: 'Computational Geometry',
      CL: 'Computation and Language', CR: 'Cryptography and Security', CV: 'Computer Vision and Pattern Recognition',
      CY: 'Computers and Society', DB: 'Databases', DC: 'Distributed, Parallel, and Cluster Computing',
      DL: 'Digital Libraries', DM: 'Discrete Mathematics', DS: 'Data Structures and Algorithms',
      ET: 'Emerging Technologies', FL: 'Formal Languages and Automata Theory', GL: 'General Literature',
      GR: 'Graphics', GT: 'Computer Science and Game Theory', HC: 'Human-Computer Interaction',
      IR: 'Information Retrieval', IT: 'Information Theory', LG: 'Machine Learning', LO: 'Logic in Computer Science',
      MA: 'Multiagent Systems', MM: 'Multimedia', MS: 'Mathematical Software', NA: 'Numerical Analysis',
      NE: 'Neural and Evolutionary Computing', NI: 'Networking and Internet Architecture',
      OH: 'Other Computer Science', OS: 'Operating Systems', PF: 'Performance', PL: 'Programming Languages',
      RO: 'Robotics', SC: 'Symbolic Computation', SD: 'Sound', SE: 'Software Engineering',
      SI: 'Social and Information Networks', SY: 'Systems and Control',
    },
  },
  econ: {
    name: 'Economics',
    categories: { EM: 'Econometrics', GN: 'General Economics', TH: 'Theoretical Economics' },
  },
  eess: {
    name: 'Electrical Engineering and Systems Science',
    categories: {
      AS: 'Audio and Speech Processing', IV: 'Image and Video Processing', SP: 'Signal Processing',
      SY: 'Systems and Control',
    },
  },
  math: {
    name: 'Mathematics',
    categories: {
      AC: 'Commutative Algebra', AG: 'Algebraic Geometry', AP: 'Analysis of PDEs', AT: 'Algebraic Topology',
      CA: 'Classical Analysis and ODEs', CO: 'Combinatorics', CT: 'Category Theory', CV: 'Complex Variables',
      DG: 'Differential Geometry', DS: 'Dynamical Systems', FA: 'Functional Analysis', GM: 'General Mathematics',
      GN: 'General Topology', GR: 'Group Theory', GT: 'Geometric Topology', HO: 'History and Overview',
      IT: 'Information Theory', KT: 'K-Theory and Homology', LO: 'Logic', MG: 'Metric Geometry',
      MP: 'Mathematical Physics', NA: 'Numerical Analysis', NT: 'Number Theory', OA: 'Operator Algebras',
      OC: 'Optimization and Control', PR: 'Probability', QA: 'Quantum Algebra', RA: 'Rings and Algebras',
      RT: 'Representation Theory', SG: 'Symplectic Geometry', SP: 'Spectral Theory', ST: 'Statistics Theory',
    },
  },
  'astro-ph': {
    name: 'Astrophysics',
    categories: {
      CO: 'Cosmology and Nongalactic Astrophysics', EP: 'Earth and Planetary Astrophysics',
      GA: 'Astrophysics of Galaxies', HE: 'High Energy Astrophysical Phenomena',
      IM: 'Instrumentation and Methods for Astrophysics', SR: 'Solar and Stellar Astrophysics',
    },
  },
  'cond-mat': {
    name: 'Condensed Matter',
    categories: {
      'dis-nn': 'Disordered Systems and Neural Networks', 'mes-hall': 'Mesoscale and Nanoscale Physics',
      'mtrl-sci': 'Materials Science', other: 'Other Condensed Matter', 'quant-gas': 'Quantum Gases',
      soft: 'Soft Condensed Matter', 'stat-mech': 'Statistical Mechanics', 'str-el': 'Strongly Correlated Electrons',
      supr: 'Superconductivity',
    },
  },
  nlin: {
    name: 'Nonlinear Sciences',
    categories: {
      AO: 'Adaptation and Self-Organizing Systems', CD: 'Chaotic Dynamics', CG: 'Cellular Automata and Lattice Gases',
      PS: 'Pattern Formation and Solitons', SI: 'Exactly Solvable and Integrable Systems',
    },
  },
  physics: {
    name: 'Physics',
    categories: {
      'acc-ph': 'Accelerator Physics', 'ao-ph': 'Atmospheric and Oceanic Physics', 'app-ph': 'Applied Physics',
      'atm-clus': 'Atomic and Molecular Clusters', 'atom-ph': 'Atomic Physics', 'bio-ph': 'Biological Physics',
      'chem-ph': 'Chemical Physics', 'class-ph': 'Classical Physics', 'comp-ph': 'Computational Physics',
      'data-an': 'Data Analysis, Statistics and Probability', 'ed-ph': 'Physics Education',
      'flu-dyn': 'Fluid Dynamics', 'gen-ph': 'General Physics', 'geo-ph': 'Geophysics',
      'hist-ph': 'History and Philosophy of Physics', 'ins-det': 'Instrumentation and Detectors',
      'med-ph': 'Medical Physics', optics: 'Optics', 'plasm-ph': 'Plasma Physics', 'pop-ph': 'Popular Physics',
      'soc-ph': 'Physics and Society', 'space-ph': 'Space Physics',
    },
  },
  'q-bio': {
    name: 'Quantitative Biology',
    categories: {
      BM: 'Biomolecules', CB: 'Cell Behavior', GN: 'Genomics', MN: 'Molecular Networks',
      NC: 'Neurons and Cognition', OT: 'Other Quantitative Biology', PE: 'Populations and Evolution',
      QM: 'Quantitative Methods', SC: 'Subcellular Processes', TO: 'Tissues and Organs',
    },
  },
  'q-fin': {
    name: 'Quantitative Finance',
    categories: {
      CP: 'Computational Finance', EC: 'Economics', GN: 'General Finance', MF: 'Mathematical Finance',
      PM: 'Portfolio Management', PR: 'Pricing of Securities', RM: 'Risk Management', ST: 'Statistical Finance',
      TR: 'Trading and Market Microstructure',
    },
  },
  stat: {
    name: 'Statistics',
    categories: {
      AP: 'Applications', CO: 'Computation', ME: 'Methodology', ML: 'Machine Learning',
      OT: 'Other Statistics', TH: 'Statistics Theory',
    },
  },
};

/** Archives that are a category of their own. */
const STANDALONE: Record<string, string> = {
  'gr-qc': 'General Relativity and Quantum Cosmology',
  'hep-ex': 'High Energy Physics - Experiment',
  'hep-lat': 'High Energy Physics - Lattice',
  'hep-ph': 'High Energy Physics - Phenomenology',
  'hep-th': 'High Energy Physics - Theory',
  'math-ph': 'Mathematical Physics',
  'nucl-ex': 'Nuclear Experiment',
  'nucl-th': 'Nuclear Theory',
  'quant-ph': 'Quantum Physics',
};

const NAMES = new Map<string, string>(Object.entries(STANDALONE));
for (const [archive, { name, categories }] of Object.entries(ARCHIVES)) {
  for (const [subject, subjectName] of Object.entries(categories)) {
    NAMES.set(`${archive}.${subject}`, `${name} - ${subjectName}`);
  }
}
const CODES = new Map([...NAMES].map(([code, name]) => [name.toLowerCase(), code]));
// Subject headings that name a whole archive (older Dublin Core records do this).
for (const [archive, { name }] of Object.entries(ARCHIVES)) CODES.set(name.toLowerCase(), archive);

/** "Computer Science - Machine Learning" → "cs.LG"; null for names that are not arXiv categories. */
export function categoryCodeForName(name: string): string | null {
  return CODES.get(name.trim().replace(/\s+/g, ' ').toLowerCase()) ?? null;
}

export function categoryName(code: string): string | null {
  return NAMES.get(code) ?? null;
}
