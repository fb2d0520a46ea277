//! The theory of change as a graph of node indices: adjacency in both directions (links to
//! unknown nodes left out), cycle finding, reachability and longest paths. Every traversal is
//! iterative, so a deep chain cannot overflow the stack.

use std::collections::HashMap;

use crate::model::TheoryOfChange;

/// Node indices and adjacency.
#[derive(Debug, Clone)]
pub struct Graph {
    /// Node index by id (the first node with that id).
    pub index: HashMap<String, usize>,
    /// For each node, (target node, link index) of its outgoing links.
    pub out: Vec<Vec<(usize, usize)>>,
    /// For each node, (source node, link index) of its incoming links.
    pub inc: Vec<Vec<(usize, usize)>>,
}

impl Graph {
    /// Builds the graph; links naming unknown nodes are left out (the checker reports them).
    pub fn new(toc: &TheoryOfChange) -> Graph {
        let n = toc.nodes.len();
        let mut index = HashMap::with_capacity(n);
        for (i, node) in toc.nodes.iter().enumerate() {
            index.entry(node.id.get_ref().clone()).or_insert(i);
        }
        let mut out = vec![Vec::new(); n];
        let mut inc = vec![Vec::new(); n];
        for (k, link) in toc.links.iter().enumerate() {
            if let (Some(&a), Some(&b)) =
                (index.get(link.from.get_ref()), index.get(link.to.get_ref()))
            {
                out[a].push((b, k));
                inc[b].push((a, k));
            }
        }
        Graph { index, out, inc }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.out.len()
    }

    /// Whether there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// Cycles, each as the link indices that go round it in order (one cycle per strongly
    /// connected component that has one, found by depth-first search in node order, so the
    /// result is deterministic).
    pub fn cycles(&self) -> Vec<Vec<usize>> {
        let n = self.len();
        // 0 unvisited, 1 on the stack, 2 done.
        let mut state = vec![0u8; n];
        let mut cycles = Vec::new();
        // Per node on the path: the link that reached it.
        let mut via: Vec<Option<usize>> = vec![None; n];
        for start in 0..n {
            if state[start] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            state[start] = 1;
            while let Some(&mut (v, ref mut next)) = stack.last_mut() {
                if *next < self.out[v].len() {
                    let (w, link) = self.out[v][*next];
                    *next += 1;
                    match state[w] {
                        0 => {
                            state[w] = 1;
                            via[w] = Some(link);
                            stack.push((w, 0));
                        }
                        1 => {
                            // Back edge v → w: the cycle is w … v on the stack, then this link.
                            let pos = stack.iter().position(|&(u, _)| u == w).unwrap_or(0);
                            let mut links: Vec<usize> = stack[pos + 1..]
                                .iter()
                                .filter_map(|&(u, _)| via[u])
                                .collect();
                            links.push(link);
                            cycles.push(links);
                        }
                        _ => {}
                    }
                } else {
                    state[v] = 2;
                    stack.pop();
                }
            }
        }
        cycles
    }

    /// Nodes reachable from `starts` following links forwards (`forward`) or backwards.
    pub fn reachable(&self, starts: impl IntoIterator<Item = usize>, forward: bool) -> Vec<bool> {
        let mut seen = vec![false; self.len()];
        let mut stack: Vec<usize> = starts.into_iter().collect();
        for &s in &stack {
            seen[s] = true;
        }
        while let Some(v) = stack.pop() {
            let next = if forward { &self.out[v] } else { &self.inc[v] };
            for &(w, _) in next {
                if !seen[w] {
                    seen[w] = true;
                    stack.push(w);
                }
            }
        }
        seen
    }

    /// A topological order (Kahn's algorithm, smallest index first among ready nodes so it is
    /// deterministic), or `None` if there is a cycle.
    pub fn topological_order(&self) -> Option<Vec<usize>> {
        let n = self.len();
        let mut indegree: Vec<usize> = self.inc.iter().map(Vec::len).collect();
        let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<usize>> = (0..n)
            .filter(|&v| indegree[v] == 0)
            .map(std::cmp::Reverse)
            .collect();
        let mut order = Vec::with_capacity(n);
        while let Some(std::cmp::Reverse(v)) = ready.pop() {
            order.push(v);
            for &(w, _) in &self.out[v] {
                indegree[w] -= 1;
                if indegree[w] == 0 {
                    ready.push(std::cmp::Reverse(w));
                }
            }
        }
        (order.len() == n).then_some(order)
    }

    /// The longest path (by nodes) through nodes for which `keep` is true, as node indices in
    /// order; empty if no node is kept. Needs an acyclic graph (`None` otherwise).
    pub fn longest_path(&self, keep: &[bool]) -> Option<Vec<usize>> {
        let order = self.topological_order()?;
        let n = self.len();
        let mut best = vec![0usize; n];
        let mut prev: Vec<Option<usize>> = vec![None; n];
        for &v in &order {
            if !keep[v] {
                continue;
            }
            best[v] = best[v].max(1);
            for &(w, _) in &self.out[v] {
                if keep[w] && best[v] + 1 > best[w] {
                    best[w] = best[v] + 1;
                    prev[w] = Some(v);
                }
            }
        }
        let Some(end) = (0..n)
            .filter(|&v| keep[v])
            .max_by_key(|&v| (best[v], std::cmp::Reverse(v)))
        else {
            return Some(Vec::new());
        };
        let mut path = vec![end];
        let mut cur = end;
        while let Some(p) = prev[cur] {
            path.push(p);
            cur = p;
        }
        path.reverse();
        Some(path)
    }
}
