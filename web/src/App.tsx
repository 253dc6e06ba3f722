import { lazy } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';

import { sessionEndedByServer, sessionEndedByUser } from './api/client';
import { useAuth } from './auth/AuthContext';
import LoginPage from './auth/LoginPage';
import { CatalogProvider } from './common/catalog';
import HomePage from './shell/HomePage';
import Shell from './shell/Shell';

// Everything past the first screen loads on demand, so logging in stays light.
const Member360Page = lazy(() => import('./member/Member360Page'));
const ObjectsIndexPage = lazy(() => import('./records/ObjectsIndexPage'));
const RecordListPage = lazy(() => import('./records/RecordListPage'));
const RecordDetailPage = lazy(() => import('./records/RecordDetailPage'));
const RecordCreatePage = lazy(() => import('./records/RecordCreatePage'));
const ObjectsAdminPage = lazy(() => import('./admin/ObjectsAdminPage'));
const UsersAdminPage = lazy(() => import('./admin/UsersAdminPage'));
const AuditPage = lazy(() => import('./admin/AuditPage'));
const NotFoundPage = lazy(() => import('./shell/NotFoundPage'));

function RequireLogin() {
  const { user } = useAuth();
  const location = useLocation();
  if (!user) {
    const next = location.pathname + location.search;
    const query = new URLSearchParams();
    if (sessionEndedByServer()) query.set('expired', '1');
    // After logging out there is nothing to come back to.
    if (next !== '/' && !sessionEndedByUser()) query.set('next', next);
    const search = query.toString();
    return <Navigate to={search ? `/login?${search}` : '/login'} replace />;
  }
  return (
    <CatalogProvider>
      <Shell />
    </CatalogProvider>
  );
}

export default function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route element={<RequireLogin />}>
        <Route index element={<HomePage />} />
        <Route path="members/:id" element={<Member360Page />} />
        <Route path="o" element={<ObjectsIndexPage />} />
        <Route path="o/:object" element={<RecordListPage />} />
        <Route path="o/:object/new" element={<RecordCreatePage />} />
        <Route path="o/:object/:id" element={<RecordDetailPage />} />
        <Route path="admin/objects" element={<ObjectsAdminPage />} />
        <Route path="admin/objects/:object" element={<ObjectsAdminPage />} />
        <Route path="admin/users" element={<UsersAdminPage />} />
        <Route path="admin/audit" element={<AuditPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
