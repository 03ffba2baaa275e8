/** whoIStheGOAT's answers (seed 002's easter egg). */
export const GOATS = [
  {
    name: 'Dennis Ritchie',
    why: 'created the C programming language and co-developed Unix, the foundation of modern computing.',
    contributions: ['Created C (1972)', 'Co-created Unix with Ken Thompson', 'Made portable system software possible'],
    wisdom: 'The only way to learn a new programming language is by writing programs in it.',
  },
  {
    name: 'Grace Hopper',
    why: 'built the first compiler and made programming something people could read.',
    contributions: ['Wrote the A-0 compiler (1952)', 'Shaped COBOL', 'Popularised "debugging"'],
    wisdom: "It's easier to ask forgiveness than it is to get permission.",
  },
  {
    name: 'Linus Torvalds',
    why: 'wrote Linux and git, which run and version most of the world’s software.',
    contributions: ['Created the Linux kernel (1991)', 'Created git (2005)', 'Showed how open source scales'],
    wisdom: 'Talk is cheap. Show me the code.',
  },
  {
    name: 'Barbara Liskov',
    why: 'gave us data abstraction and the substitution principle every type system leans on.',
    contributions: ['CLU and abstract data types', 'The Liskov substitution principle', 'Foundations of distributed computing'],
    wisdom: 'Modularity based on abstraction is the way things get done.',
  },
  {
    name: 'Donald Knuth',
    why: 'wrote The Art of Computer Programming and TeX, and made algorithms a science.',
    contributions: ['The Art of Computer Programming', 'TeX', 'Analysis of algorithms'],
    wisdom: 'Premature optimization is the root of all evil.',
  },
] as const;
