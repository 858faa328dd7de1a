//! The consensus engine (issue 6): from agree / disagree / pass votes it
//! finds the participants' opinion groups, the statements that represent
//! each group, and the statements all groups share. It follows Pol.is's
//! published method (`POLIS-METHOD.md`) so that its results can be compared
//! with Pol.is's own, and departs from it where Pol.is is known to be
//! unstable: every step here is deterministic.
//!
//! # The method
//!
//! **Votes.** Agree is +1, disagree −1, pass 0; an unvoted cell is missing.
//! A participant's later vote on a statement replaces the earlier one.
//! Statements moderated out become a constant 0 column: they carry no
//! information but, as in Pol.is, count as voted for every participant.
//!
//! **Who is clustered.** A participant with at least `min(7, C)` votes
//! (`C` statements, moderated ones included) is *in* the conversation; if
//! fewer than 15 are in, the most active voters are added up to 15. Everyone
//! is projected; only those in are clustered.
//!
//! **PCA on sparse deviations.** Each missing cell is imputed with its
//! column's mean `m_j` of observed votes, so after centring the imputed
//! cells are exactly zero: the centred matrix `X` has entries `x_ij − m_j`
//! only where `i` voted on `j`.
//!
//! One departure from Pol.is: each statement's column is weighted by
//! `w_j = τ / (n_j + τ)` (`n_j` its votes, `τ` = 500), and the components are
//! the two leading eigenvectors of `W Xᵀ X W`. Mean imputation makes a
//! statement's loading proportional to `n_j · cov_j` (its covariance with
//! the participants' places, times its votes), so in a large conversation
//! the few statements everyone saw drown the many others. With the weight
//! it is `n_j / (n_j + τ) · cov_j`: close to Pol.is's while `n_j ≪ τ`, and
//! no longer growing once a statement's votes are enough to place it (see
//! `pca::weights`; with `τ` infinite the method is Pol.is's).
//!
//! The eigenvectors are found by subspace iteration: four columns `Q` are
//! multiplied by `W Xᵀ X W`, using `Xᵀ X v = Σ_i (x_i · v) x_i` summed only
//! over each participant's own votes (the dense matrix is never built); the
//! small matrix `Qᵀ W Xᵀ X W Q` is diagonalised (Rayleigh–Ritz) and its
//! leading eigenvectors, taken back to the statements, estimate the
//! components; their product, made orthonormal, is the next `Q`. With four
//! columns the second component converges at the rate `λ₅ / λ₂` rather than
//! power iteration's `λ₃ / λ₂`. The start is fixed; iteration stops when
//! two rounds' estimates of both components differ by less than 1e-10 in
//! `1 − |cos|` (at most 1,000 rounds), and each component's sign is chosen
//! so that its largest entry is positive.
//!
//! **Projection.** Participant `i` with `n_i` votes lands at
//! `sqrt(C / max(n_i, 1)) · Σ_j (x_ij − m_j) (pc1_j, pc2_j)`: Pol.is's
//! scaling, which pushes sparse voters away from the origin in proportion
//! to what they did not vote on.
//!
//! **Base clusters.** Participants in are grouped into at most 100 base
//! clusters by k-means (seeded k-means++ starts, several restarts, the
//! lowest within-cluster sum of squares kept). Above 20,000 participants the
//! centres are found on an even sample of 20,000 (every n-th participant),
//! and every participant then joins the nearest centre.
//!
//! **Opinion groups.** The base clusters' centres, weighted by their sizes,
//! are clustered again for each `k` in `2..=min(5, 2 + n_base / 12)`, each
//! with seeded k-means++ and restarts; the silhouette over the base centres
//! scores each `k`. Pol.is smooths its choice over time and so favours two
//! groups; a cold start cannot smooth, so the rule here is: take the
//! smallest `k` whose silhouette is within [`K_MARGIN`] of the best. A
//! group of a single base cluster is an outlier, not an opinion group: for
//! each `k` the lowest sum of squares among the restarts that make no such
//! group is taken, and a `k` whose every restart makes one is not a choice.
//!
//! **Representative statements (repness).** For group `g` and statement
//! `c`, with `na`, `nd`, `ns` the agrees, disagrees and votes of `g`'s
//! members and `*_rest` the same over everyone else in:
//! `pa = (na + 1) / (ns + 2)`, `pd = (nd + 1) / (ns + 2)`;
//! `ra = pa / ((na_rest + 1) / (ns_rest + 2))` (and `rd` likewise);
//! `pat = 2 sqrt(ns + 1) ((na + 1) / (ns + 1) − ½)`;
//! `rat` the two-proportion z-test of `na / ns` against the rest's (each
//! count plus one). A statement represents `g` when
//! `(rat > 1.2816 and pat > 1.2816)` or the same for disagreement; the
//! representatives are ranked by `r · rt · p · pt` and at most five kept.
//!
//! **Group-informed consensus.** `GIC(c) = Π_g (A_g(c) + 1) / (S_g(c) + 2)`
//! over the groups (agrees `A`, votes `S` of their members); the disagree
//! version uses disagrees. Statements are listed by it, moderated ones left
//! out.
//!
//! **Groups drawn from the votes** ([`Grouping::Votes`], a choice; the
//! default is the map's groups above). A group's profile on statement `j`
//! is its members' shares of disagree, pass and agree, each count plus one:
//! `P(x | g, j) = (n_gjx + 1) / (n_gj + 3)`; its prior is its share of the
//! clustered participants, `π_g`. Participant `i` belongs to the group with
//! the highest `ln π_g + Σ_j ln P(x_ij | g, j)` over their own votes
//! (statements moderated out say nothing and are skipped). Starting from
//! the map's groups, the profiles and the groups are found in turn
//! ([`REFINE_ROUNDS`] rounds: classification EM); a group left empty is
//! dropped and the rest are numbered by size. This is what an oracle that
//! knew the planted profiles would do, with the profiles estimated, and it
//! uses the votes themselves where the map sees only their projection, so
//! that on synthetic conversations it recovers the planted groups about as
//! well as the oracle (BENCHMARKS.md). The groups are no longer regions of
//! the map, and they agree less with Pol.is's, which are.
//!
//! **Updates.** A live conversation need not start from scratch when votes
//! arrive. [`update`] follows the two components from where they were (new
//! statements get 0): with `Q` the earlier components, one product
//! `Z = W Xᵀ X W Q` tells how far they are from eigenvectors now. Within
//! `1 − |cos| < 1e-5` of their products they are the answer. Otherwise, if
//! they are within `1e-3` (about 2.5°), the answer is the best pair in the
//! span of `Q` and `Z` together (Rayleigh–Ritz on four columns, one Krylov
//! step), which needs only `Bᵀ W Xᵀ X W B = Σ_i sᵢ sᵢᵀ` with
//! `sᵢ = Σ_j dᵢⱼ B_j`: the first half of a product. The same pass gathers
//! each participant's place on the map, so no separate projection is
//! needed. Further away, it iterates. The signs follow the earlier ones,
//! so the map does not flip. After 1 % more votes the update's components
//! are within about 0.3° of a full run's (BENCHMARKS.md). The base
//! clusters start from the earlier base centres (ten Lloyd rounds; above
//! 20,000 participants one step over everyone, the next update taking the
//! next) and the groups from the earlier group centres, keeping their
//! number. The platform analyses from scratch again once a conversation
//! has grown by a tenth, so that the number of groups can change.

mod ari;
mod kmeans;
mod nearest;
pub mod opendata;
mod pca;
mod refine;
mod repness;
pub mod synth;
mod votes;

pub use ari::adjusted_rand_index;
pub use kmeans::{Centres, Clustering, kmeans};
pub use pca::weights as statement_weights;
pub use refine::refine;
pub use repness::{Consensus, Represent};
pub use votes::{Votes, VotesBuilder};

/// A smaller number of groups is preferred unless a larger one's
/// silhouette beats it by more than this.
pub const K_MARGIN: f64 = 0.05;
/// The most base clusters.
pub const BASE_K: usize = 100;

/// What the engine found.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Each participant's opinion group, `None` when left out of clustering.
    pub groups: Vec<Option<usize>>,
    /// The number of groups.
    pub k: usize,
    /// Each participant's place on the opinion map.
    pub projection: Vec<[f64; 2]>,
    /// The silhouette of each `k` tried, in order.
    pub silhouettes: Vec<(usize, f64)>,
    /// Per group, its representative statements, best first.
    pub repness: Vec<Vec<Represent>>,
    /// Statements by group-informed consensus, strongest first.
    pub consensus: Vec<Consensus>,
    /// How each group voted: `tallies[g][c] = [agrees, disagrees, votes]`
    /// on statement `c` (passes are the votes left; a statement moderated
    /// out counts every vote as a pass).
    pub tallies: Vec<Vec<[u32; 3]>>,
    /// What an update of this analysis starts from.
    pub warm: Warm,
}

/// What [`update`] starts from: the principal components and the centres
/// of the base clusters and of the groups.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Warm {
    pub components: [Vec<f64>; 2],
    pub centres: kmeans::Centres,
    /// With [`Grouping::Votes`]: each group's members and tallies, from
    /// which an update takes the vote profiles it reassigns everyone by.
    /// Empty otherwise.
    pub profiles: Vec<Profile>,
}

/// A group as an update by votes starts from it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    /// How many participants it had.
    pub members: usize,
    /// Per statement: its members' agrees, disagrees and votes.
    pub tallies: Vec<[u32; 3]>,
}

/// How the opinion groups are drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Grouping {
    /// Cuts of the opinion map, as Pol.is draws them: comparable with
    /// Pol.is's own groups, and each group a region of the map.
    #[default]
    Map,
    /// The map's groups refined on the votes themselves (see [`refine`]):
    /// each participant in the group whose vote profile makes their votes
    /// most probable. Recovers planted groups almost as well as an oracle
    /// that knows them, at the price of agreement with Pol.is; a group's
    /// members may sit among another group's on the map.
    Votes,
}

/// Rounds of refinement in a full run with [`Grouping::Votes`]: the second
/// still moves a few participants, a third almost none (BENCHMARKS.md). An
/// update takes one round, from the last answer's profiles.
pub const REFINE_ROUNDS: usize = 2;

/// Runs the whole analysis.
pub fn analyze(v: &Votes) -> Analysis {
    run(v, None, Grouping::Map)
}

/// Runs the whole analysis, drawing the groups as `grouping` says.
pub fn analyze_by(v: &Votes, grouping: Grouping) -> Analysis {
    run(v, None, grouping)
}

/// Updates an earlier analysis (from its [`Analysis::warm`]) after more
/// votes (or statements) arrived in a live conversation, without starting
/// from scratch: the components follow from the earlier ones (one product
/// and one Krylov step while they have moved little) and keep their signs,
/// the base clusters start from the earlier base centres (Lloyd's
/// iterations instead of seeded restarts; one step over everyone in a large
/// conversation), and the groups keep their number and start from their
/// earlier centres. Participants and statements keep their rows and
/// columns; new ones are added after them. Deterministic for the same votes
/// and earlier analysis; it may settle on a slightly different answer than
/// [`analyze`] on the same votes, as any warm start may.
pub fn update(v: &Votes, earlier: &Warm) -> Analysis {
    run(v, Some(earlier), Grouping::Map)
}

/// [`update`], drawing the groups as `grouping` says.
pub fn update_by(v: &Votes, earlier: &Warm, grouping: Grouping) -> Analysis {
    run(v, Some(earlier), grouping)
}

fn run(v: &Votes, warm: Option<&Warm>, grouping: Grouping) -> Analysis {
    let centre = v.column_means();
    let pca::Components {
        two: comps,
        projection,
    } = pca::components_from(v, &centre, warm.map(|w| &w.components));
    let projection = projection.unwrap_or_else(|| pca::project(v, &centre, &comps));
    let clustered = v.clustered();
    // An update by votes reassigns everyone by the earlier groups' vote
    // profiles (one round of refinement) and leaves the map's groups, which
    // it does not show, where the last full run put them.
    let earlier_profiles = warm
        .filter(|_| grouping == Grouping::Votes)
        .map(|w| &w.profiles)
        .filter(|t| t.len() >= 2 && t.iter().all(|g| g.tallies.len() <= v.statements()));
    let (mut k, mut groups, silhouettes, centres, refined) = match (earlier_profiles, warm) {
        (Some(profiles), Some(w)) => {
            let (groups, counts) = refine::reassign_counted(v, &clustered, profiles);
            let k = profiles.len();
            (k, groups, Vec::new(), w.centres.clone(), Some(counts))
        }
        _ => {
            let points: Vec<[f64; 2]> = clustered.iter().map(|&p| projection[p]).collect();
            let kmeans::Groups {
                k,
                labels,
                tried,
                centres,
            } = kmeans::opinion_groups_from(&points, warm.map(|w| &w.centres));
            let mut groups = vec![None; v.participants()];
            for (i, &p) in clustered.iter().enumerate() {
                groups[p] = labels.get(i).copied();
            }
            // A full run by votes refines the map's groups.
            let refined = (grouping == Grouping::Votes && k >= 2).then(|| {
                let (refined, counts) = refine::refine_counted(v, &groups, k, REFINE_ROUNDS);
                groups = refined;
                counts
            });
            (k, groups, tried, centres, refined)
        }
    };
    // Groups drawn from the votes: numbered by size, largest first, as the
    // map's groups are (a group left empty is dropped), and kept as the
    // profiles (members and tallies) an update starts from.
    let profiles: Vec<Profile> = match refined {
        Some(mut counts) => {
            let mut members = vec![0usize; k];
            groups.iter().flatten().for_each(|&g| members[g] += 1);
            let mut order: Vec<usize> = (0..k).filter(|&g| members[g] > 0).collect();
            order.sort_by_key(|&g| (std::cmp::Reverse(members[g]), g));
            let mut number = vec![0; k];
            order.iter().enumerate().for_each(|(n, &g)| number[g] = n);
            groups.iter_mut().flatten().for_each(|g| *g = number[*g]);
            k = order.len();
            order
                .iter()
                .map(|&g| Profile {
                    members: members[g],
                    tallies: std::mem::take(&mut counts[g]),
                })
                .collect()
        }
        None => Vec::new(),
    };
    let tallies = if profiles.is_empty() {
        repness::tallies(v, &groups, k)
    } else {
        profiles.iter().map(|p| p.tallies.clone()).collect()
    };
    let repness = repness::represent(v, &tallies);
    let consensus = repness::consensus(v, &tallies);
    Analysis {
        groups,
        k,
        projection,
        silhouettes,
        repness,
        consensus,
        tallies,
        warm: Warm {
            components: comps,
            centres,
            profiles,
        },
    }
}
